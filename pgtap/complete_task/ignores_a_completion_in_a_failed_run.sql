BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [
  {"slug": "a"}, {"slug": "b"}, {"slug": "after_b", "deps": ["b"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'boom');
SELECT is((SELECT status FROM pgflow.runs), 'failed', 'the run failed');
SELECT lives_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', output => '"late"')$$,
  'a completion arriving in a failed run is not an error');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'b'$$,
  $$VALUES ('cancelled', NULL::jsonb)$$, 'the step is not completed and its output not stored');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'after_b'), 0, 'no task for the dependent');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('failed', NULL::jsonb)$$, 'the run stays failed');
SELECT * FROM finish();
ROLLBACK;
