BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 3, "base_delay": 5, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'e1', attempt => 1);
CREATE TEMP TABLE tasks_before AS SELECT * FROM pgflow.step_tasks;
SELECT lives_ok(
  $$SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                            error_message => 'e1 again', attempt => 1)$$,
  'reporting the failure of attempt 1 twice is not an error (a NOTICE)');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM tasks_before$$,
  'the duplicate changes nothing: same attempt, backoff and error');
SELECT lives_ok(
  $$SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'e1 again')$$,
  'a duplicate without attempt (the current one, already failed) is not an error either');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM tasks_before$$, 'and changes nothing');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'the run goes on');
SELECT * FROM finish();
ROLLBACK;
