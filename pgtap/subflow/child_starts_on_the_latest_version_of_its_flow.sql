BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "load"}, {"slug": "customer", "deps": ["load"], "subflow": "enrich"}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', run_id => '00000000-0000-0000-0000-000000000001');
-- The child flow is deployed anew while the parent runs, before its subflow step starts.
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}, {"slug": "score", "deps": ["lookup"]}]}');
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => t.step_slug, output => '{}')
  FROM pgflow.claim_tasks(worker_id => 'w1') AS t;
SELECT results_eq($$SELECT flow_slug, flow_version FROM pgflow.runs ORDER BY started_at, flow_slug$$,
  $$VALUES ('enrich', 2), ('orders', 1)$$,
  'the child started on its flow''s latest version when the step started, not the one of the parent''s start');
SELECT is((SELECT remaining_steps FROM pgflow.runs WHERE flow_slug = 'enrich'), 2, 'with that version''s steps');
SELECT * FROM finish();
ROLLBACK;
