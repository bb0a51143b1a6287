BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [
  {"slug": "r1"}, {"slug": "r2"}, {"slug": "b", "deps": ["r1"]}, {"slug": "c", "deps": ["b", "r2"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq(
  $$SELECT step_slug, task_index, status, attempt, available_at <= now() FROM pgflow.step_tasks ORDER BY step_slug$$,
  $$VALUES ('r1', 0, 'queued', 0, true), ('r2', 0, 'queued', 0, true)$$,
  'one queued, claimable task per root step, none for dependents');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug IN ('b', 'c')), 0, 'no task for dependent steps');
SELECT * FROM finish();
ROLLBACK;
