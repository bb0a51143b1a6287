BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 3, "base_delay": 0, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'e1', attempt => 1);
SELECT is((SELECT attempt FROM pgflow.claim_tasks(worker_id => 'w2')), 2, 'attempt 2 holds the task');
CREATE TEMP TABLE tasks_before AS SELECT * FROM pgflow.step_tasks;
SELECT lives_ok(
  $$SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                            error_message => 'stale', attempt => 1)$$,
  'a failure from attempt 1 is not an error (a NOTICE)');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM tasks_before$$,
  'the task is unchanged: still started by attempt 2, error not overwritten');
SELECT results_eq($$SELECT status FROM pgflow.step_states UNION ALL SELECT status FROM pgflow.runs$$,
  $$VALUES ('started'), ('started')$$, 'step and run unchanged');
SELECT * FROM finish();
ROLLBACK;
