BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "max_attempts": 1, "steps": [
  {"slug": "customer", "subflow": "enrich"}, {"slug": "charge"}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.fail_task(run_id => t.run_id, step_slug => t.step_slug, error_message => 'card declined')
  FROM pgflow.claim_tasks(worker_id => 'w1') AS t WHERE t.step_slug = 'charge';
SELECT results_eq($$SELECT flow_slug, status FROM pgflow.runs ORDER BY flow_slug$$,
  $$VALUES ('enrich', 'cancelled'), ('orders', 'failed')$$,
  'a parent that fails on another step cancels its running child');
SELECT is((SELECT count(*)::int FROM pgflow.task_attempts WHERE step_slug = 'customer'), 0,
  'the cancelled child is no failed attempt of the step: the step was cancelled with its run');
SELECT * FROM finish();
ROLLBACK;
