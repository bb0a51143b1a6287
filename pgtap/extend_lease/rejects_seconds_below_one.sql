BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "timeout": 60, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT throws_ok(
  $$SELECT pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', attempt => 1, seconds => 0)$$,
  '22023', NULL, 'seconds => 0 raises 22023');
SELECT throws_ok(
  $$SELECT pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', attempt => 1, seconds => -10)$$,
  '22023', NULL, 'negative seconds raise 22023');
SELECT throws_like(
  $$SELECT pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', attempt => 1, seconds => 0)$$,
  '%seconds%', 'the error names seconds');
SELECT results_eq($$SELECT status, attempt, available_at - now() FROM pgflow.step_tasks$$,
  $$VALUES ('started', 1, interval '60 seconds')$$, 'the lease is unchanged');
SELECT * FROM finish();
ROLLBACK;
