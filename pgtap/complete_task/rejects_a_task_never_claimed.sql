BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT throws_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1')$$,
  '55000', NULL, 'completing a queued task that was never claimed raises 55000');
SELECT throws_like(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1')$$,
  '%"a"%', 'the error names the step');
SELECT throws_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', output => '1')$$,
  '55000', NULL, 'completing a step that has not started (no task yet) raises 55000');
SELECT results_eq(
  $$SELECT step_slug, status, output FROM pgflow.step_states ORDER BY 1$$,
  $$VALUES ('a', 'started', NULL::jsonb), ('b', 'created', NULL::jsonb)$$,
  'the steps are unchanged');
SELECT results_eq(
  $$SELECT step_slug, status, attempt FROM pgflow.step_tasks$$,
  $$VALUES ('a', 'queued', 0)$$,
  'the task is still queued, never attempted, and b has no task');
SELECT * FROM finish();
ROLLBACK;
