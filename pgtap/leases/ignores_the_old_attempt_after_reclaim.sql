BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second'
 WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'a';
SELECT is((SELECT attempt FROM pgflow.claim_tasks(worker_id => 'w2')), 2, 'reclaimed as attempt 2');
CREATE TEMP TABLE tasks_before AS SELECT * FROM pgflow.step_tasks;
SELECT lives_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                                output => '"old"', attempt => 1)$$,
  'the completion from attempt 1 is not an error (a NOTICE)');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM tasks_before$$, 'and is ignored: attempt 2 still holds the task');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states$$, $$VALUES ('started', NULL::jsonb)$$,
  'the step is not completed by attempt 1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '"new"', attempt => 2);
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"a": "new"}'::jsonb)$$,
  'attempt 2''s completion is accepted');
SELECT * FROM finish();
ROLLBACK;
