BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"x": 1}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq(
  $$SELECT run_id, flow_slug, step_slug, task_index, attempt, input FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('00000000-0000-0000-0000-000000000001'::uuid, 'f', 'a', 0, 1, '{"run": {"x": 1}}'::jsonb)$$,
  'claim_tasks returns the task with its run, flow, step, index, attempt 1 and input');
SELECT results_eq(
  $$SELECT status, attempt, worker_id, started_at = now() FROM pgflow.step_tasks$$,
  $$VALUES ('started', 1, 'w1', true)$$,
  'the task is started, attempt 1, and records the worker');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'a'), 'started', 'the step stays started');
SELECT * FROM finish();
ROLLBACK;
