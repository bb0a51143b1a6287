BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "customer", "subflow": "enrich", "delay_seconds": 60}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq($$SELECT status, attempt, lease_token IS NULL, available_at - now() FROM pgflow.step_tasks$$,
  $$VALUES ('started', 1, true, interval '60 seconds')$$, 'the task waits out the delay for its first child');
SELECT is((SELECT count(*)::int FROM pgflow.runs WHERE parent_run_id IS NOT NULL), 0, 'no child yet');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second';  -- the delay is over
SELECT results_eq($$SELECT flow_slug, step_slug FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('enrich', 'lookup')$$, 'a claim starts the child when due, and may take its first task at once');
SELECT * FROM finish();
ROLLBACK;
