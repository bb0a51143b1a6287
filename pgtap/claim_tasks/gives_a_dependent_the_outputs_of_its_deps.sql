BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [
  {"slug": "a"}, {"slug": "b"}, {"slug": "c", "deps": ["a", "b"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"x": 1}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '{"score": 0.5}');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', output => '"a summary"');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('c', '{"run": {"x": 1}, "a": {"score": 0.5}, "b": "a summary"}'::jsonb)$$,
  'a dependent gets the flow input under "run" and each dependency''s output under its slug');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status = 'started'), 1, 'only the dependent is in flight');
SELECT * FROM finish();
ROLLBACK;
