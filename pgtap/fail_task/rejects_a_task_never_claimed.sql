BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT throws_ok(
  $$SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'boom')$$,
  '55000', NULL, 'failing a task that was never claimed raises 55000');
SELECT throws_like(
  $$SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'boom')$$,
  '%"a"%', 'the error names the step');
SELECT results_eq(
  $$SELECT (SELECT status FROM pgflow.runs), (SELECT status FROM pgflow.step_states),
           (SELECT status FROM pgflow.step_tasks), (SELECT attempt FROM pgflow.step_tasks),
           (SELECT error_message FROM pgflow.step_tasks)$$,
  $$VALUES ('started', 'started', 'queued', 0, NULL::text)$$,
  'nothing changed: the run is not failed, the task still queued');
SELECT * FROM finish();
ROLLBACK;
