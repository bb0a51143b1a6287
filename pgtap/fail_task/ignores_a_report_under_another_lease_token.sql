-- A failure under a lease_token that is not the task's current one (its claim
-- was lost, e.g. in a crash, and the attempt number handed out again) is ignored
-- with a NOTICE: the live attempt is not failed, nothing is recorded.
BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'live');
SELECT is((SELECT status FROM pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
  error_message => 'boom', attempt => 1, lease_token => gen_random_uuid())), 'started',
  'the failure is ignored: the task is still started');
SELECT results_eq($$SELECT (SELECT status FROM pgflow.runs), (SELECT count(*)::int FROM pgflow.task_attempts)$$,
  $$VALUES ('started', 0)$$, 'the run did not fail and no attempt was recorded');
SELECT is((SELECT status FROM pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
  error_message => 'boom', attempt => 1, lease_token => (SELECT lease_token FROM pgflow.step_tasks))), 'failed',
  'the failure with the current lease_token counts');
SELECT * FROM finish();
ROLLBACK;
