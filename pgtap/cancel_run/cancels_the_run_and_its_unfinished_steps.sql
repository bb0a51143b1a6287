BEGIN;
SELECT plan(5);
-- a -> b, and c alongside: a completed, b queued, c in flight when the run is cancelled.
SELECT pgflow.define_flow('{"slug": "f", "steps": [
  {"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '"A"');
SELECT results_eq(
  $$SELECT run_id, status, finished_at = now() FROM pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001')$$,
  $$VALUES ('00000000-0000-0000-0000-000000000001'::uuid, 'cancelled', true)$$,
  'cancel_run returns the run, cancelled and finished');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('cancelled', NULL::jsonb)$$,
  'the run is cancelled, with no output');
SELECT results_eq(
  $$SELECT step_slug, status, output, finished_at IS NOT NULL FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('a', 'completed', '"A"'::jsonb, true), ('b', 'cancelled', NULL, true), ('c', 'cancelled', NULL, true)$$,
  'the completed step keeps its state and output; the unfinished ones are cancelled');
SELECT results_eq($$SELECT step_slug, status FROM pgflow.step_tasks ORDER BY step_slug$$,
  $$VALUES ('a', 'completed'), ('b', 'cancelled'), ('c', 'cancelled')$$,
  'the queued and the in-flight tasks are cancelled');
SELECT is((SELECT count(*)::int FROM pgflow.task_attempts), 0, 'no attempt is recorded as failed by a cancellation');
SELECT * FROM finish();
ROLLBACK;
