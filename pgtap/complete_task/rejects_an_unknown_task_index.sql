BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT throws_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1', task_index => 7)$$,
  'P0002', NULL, 'a task_index the step does not have raises P0002');
SELECT throws_like(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1', task_index => 7)$$,
  '%7%', 'the error names the task index');
SELECT results_eq(
  $$SELECT (SELECT status FROM pgflow.runs), (SELECT status FROM pgflow.step_states), (SELECT status FROM pgflow.step_tasks),
           (SELECT count(*)::int FROM pgflow.step_tasks)$$,
  $$VALUES ('started', 'started', 'started', 1)$$,
  'nothing changed');
SELECT * FROM finish();
ROLLBACK;
