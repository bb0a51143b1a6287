BEGIN;
SELECT plan(7);
SELECT pgflow.define_flow('{"slug": "f", "steps": [
  {"slug": "a"}, {"slug": "b"}, {"slug": "after_a", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001', reason => 'stop');
CREATE TEMP TABLE tasks_before AS SELECT * FROM pgflow.step_tasks;
CREATE TEMP TABLE states_before AS SELECT * FROM pgflow.step_states;
CREATE TEMP TABLE run_before AS SELECT * FROM pgflow.runs;
-- The worker holding a finishes after the cancel: a NOTICE, no error.
SELECT lives_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                                output => '"late"', attempt => 1)$$,
  'a completion arriving after the cancel is not an error');
SELECT lives_ok(
  $$SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b',
                            error_message => 'late failure', attempt => 1)$$,
  'nor is a failure arriving after the cancel');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM tasks_before$$, 'the tasks are unchanged');
SELECT set_eq($$SELECT * FROM pgflow.step_states$$, $$SELECT * FROM states_before$$,
  'the steps are unchanged: a is not completed, its output not stored');
SELECT set_eq($$SELECT * FROM pgflow.runs$$, $$SELECT * FROM run_before$$, 'the run stays cancelled, with no output');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'after_a'), 0,
  'the ignored completion creates no task for the dependent');
SELECT is((SELECT count(*)::int FROM pgflow.task_attempts), 0, 'the ignored failure records no attempt');
SELECT * FROM finish();
ROLLBACK;
