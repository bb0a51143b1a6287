BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "timeout": 60, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT throws_ok(
  $$SELECT pgflow.extend_lease(run_id => '00000000-0000-0000-0000-0000000000ff', step_slug => 'a')$$,
  'P0002', NULL, 'an unknown run raises P0002');
SELECT throws_like(
  $$SELECT pgflow.extend_lease(run_id => '00000000-0000-0000-0000-0000000000ff', step_slug => 'a')$$,
  '%00000000-0000-0000-0000-0000000000ff%', 'naming the run');
SELECT throws_ok(
  $$SELECT pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'no_such_step')$$,
  'P0002', NULL, 'an unknown step raises P0002');
SELECT throws_like(
  $$SELECT pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'no_such_step')$$,
  '%no_such_step%', 'naming the step');
SELECT throws_ok(
  $$SELECT pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', task_index => 3)$$,
  'P0002', NULL, 'an unknown task index raises P0002');
SELECT results_eq($$SELECT status, attempt, available_at - now() FROM pgflow.step_tasks$$,
  $$VALUES ('started', 1, interval '60 seconds')$$, 'the real task''s lease is unchanged');
SELECT * FROM finish();
ROLLBACK;
