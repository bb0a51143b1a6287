BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "base_delay": 0, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'boom', attempt => 1);
SELECT is((SELECT attempt FROM pgflow.claim_tasks(worker_id => 'w2')), 2, 'attempt 2 holds the task');
CREATE TEMP TABLE tasks_before AS SELECT * FROM pgflow.step_tasks;
SELECT lives_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                                output => '"stale"', attempt => 1)$$,
  'a completion from attempt 1 is not an error (a NOTICE)');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM tasks_before$$, 'the task is unchanged: attempt 2 still holds it');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states$$, $$VALUES ('started', NULL::jsonb)$$,
  'the step is not completed by the stale attempt');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '"fresh"', attempt => 2);
SELECT results_eq($$SELECT status, output FROM pgflow.step_states$$, $$VALUES ('completed', '"fresh"'::jsonb)$$,
  'attempt 2''s completion is accepted');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"a": "fresh"}'::jsonb)$$,
  'and completes the run');
SELECT * FROM finish();
ROLLBACK;
