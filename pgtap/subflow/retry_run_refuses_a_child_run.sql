BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "enrich", "max_attempts": 1, "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "max_attempts": 1, "steps": [{"slug": "customer", "subflow": "enrich"}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.fail_task(run_id => t.run_id, step_slug => t.step_slug, error_message => 'boom')
  FROM pgflow.claim_tasks(worker_id => 'w1') AS t;
SELECT run_id AS child FROM pgflow.runs WHERE parent_run_id IS NOT NULL \gset
SELECT throws_ok(format('SELECT pgflow.retry_run(run_id => %L)', :'child'), '55000',
  format('run %s is a child run (step "customer" of run 00000000-0000-0000-0000-000000000001): retry its parent instead', :'child'),
  'a child run is one attempt of its parent''s step: it is not retried by itself');
SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq($$SELECT status, count(*)::int FROM pgflow.runs WHERE parent_run_id IS NOT NULL GROUP BY 1 ORDER BY 1$$,
  $$VALUES ('failed', 1), ('started', 1)$$, 'retrying the parent starts a new child');
SELECT * FROM finish();
ROLLBACK;
