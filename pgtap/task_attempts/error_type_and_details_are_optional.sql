BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "base_delay": 0, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT lives_ok(
  $$SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'boom')$$,
  'fail_task with only the message, as before');
SELECT results_eq($$SELECT attempt, worker_id, error_type, error_message, error_details FROM pgflow.task_attempts$$,
  $$VALUES (1, 'w1', NULL::text, 'boom', NULL::text)$$, 'the attempt is recorded with no type or details');
SELECT * FROM finish();
ROLLBACK;
