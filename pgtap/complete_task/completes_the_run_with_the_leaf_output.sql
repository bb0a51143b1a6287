BEGIN;
SELECT plan(4);
-- A diamond: the only leaf is combine.
SELECT pgflow.define_flow('{"slug": "f", "steps": [
  {"slug": "start"}, {"slug": "left", "deps": ["start"]}, {"slug": "right", "deps": ["start"]},
  {"slug": "combine", "deps": ["left", "right"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'start', output => '1');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'left', output => '2');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'right', output => '3');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('started', NULL::jsonb)$$,
  'the run is not complete while the leaf runs');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'combine', output => '{"total": 6}');
SELECT results_eq(
  $$SELECT status, output, remaining_steps, finished_at IS NOT NULL FROM pgflow.runs$$,
  $$VALUES ('completed', '{"combine": {"total": 6}}'::jsonb, 0, true)$$,
  'the run completes with the leaf''s output under its slug');
SELECT is((SELECT count(*)::int FROM pgflow.step_states WHERE status = 'completed'), 4, 'every step completed');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'nothing left to claim');
SELECT * FROM finish();
ROLLBACK;
