BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 3, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT results_eq(
  $$SELECT status, error_message FROM pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001',
      step_slug => 'a', error_message => 'connection refused')$$,
  $$VALUES ('queued', 'connection refused')$$,
  'fail_task returns the task queued again with the error');
SELECT results_eq($$SELECT status, attempt, error_message FROM pgflow.step_tasks$$,
  $$VALUES ('queued', 1, 'connection refused')$$, 'the task stores the error message of the attempt');
SELECT * FROM finish();
ROLLBACK;
