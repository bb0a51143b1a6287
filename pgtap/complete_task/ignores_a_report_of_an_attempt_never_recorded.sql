-- A claim lost in a crash (here: rolled back) handed out attempt 1, which the
-- database never recorded: the task is queued with 0 attempts. The lost worker's
-- reports are ignored with a NOTICE, not an error, and change nothing; so is a
-- report for a task that went back to the queue after a failed attempt.
BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 3, "base_delay": 60, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT lives_ok($$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
  output => '1', attempt => 1)$$, 'completing attempt 1 of a task never claimed (its claim was lost) does not raise');
SELECT lives_ok($$SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
  error_message => 'boom', attempt => 1)$$, 'nor does failing it');
SELECT results_eq($$SELECT status, attempt FROM pgflow.step_tasks$$, $$VALUES ('queued', 0)$$,
  'the task is still queued, never attempted');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'boom', attempt => 1);
SELECT is((SELECT status FROM pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
  output => '1')), 'queued', 'a report without attempt for a task waiting for its retry is ignored');
SELECT results_eq($$SELECT t.status, t.attempt, ss.status FROM pgflow.step_tasks AS t JOIN pgflow.step_states AS ss USING (run_id, step_slug)$$,
  $$VALUES ('queued', 1, 'started')$$, 'and changes nothing');
SELECT * FROM finish();
ROLLBACK;
