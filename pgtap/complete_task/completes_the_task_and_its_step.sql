BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT results_eq(
  $$SELECT step_slug, status, attempt FROM pgflow.complete_task(
      run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '{"n": 42}')$$,
  $$VALUES ('a', 'completed', 1)$$,
  'complete_task returns the completed task');
SELECT results_eq(
  $$SELECT status, finished_at IS NOT NULL FROM pgflow.step_tasks WHERE step_slug = 'a'$$,
  $$VALUES ('completed', true)$$,
  'the task is completed and finished');
SELECT results_eq(
  $$SELECT status, output, finished_at IS NOT NULL FROM pgflow.step_states WHERE step_slug = 'a'$$,
  $$VALUES ('completed', '{"n": 42}'::jsonb, true)$$,
  'the step is completed with the output');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'the run goes on: b is left');
SELECT * FROM finish();
ROLLBACK;
