-- A run whose leaves are all skipped still completes; its output has no key for
-- the skipped leaves.
BEGIN;
SELECT plan(3);

SELECT pgflow.create_flow(flow_slug => 'nothing_to_do');
SELECT pgflow.add_step(flow_slug => 'nothing_to_do', step_slug => 'look');
SELECT pgflow.add_step(flow_slug => 'nothing_to_do', step_slug => 'left', deps => ARRAY['look'],
                       run_if => '{"look": {"side": "left"}}');
SELECT pgflow.add_step(flow_slug => 'nothing_to_do', step_slug => 'right', deps => ARRAY['look'],
                       run_if => '{"look": {"side": "right"}}');
SELECT pgflow.start_flow(flow_slug => 'nothing_to_do', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'look',
                            output => '{"side": "neither"}')
  FROM pgflow.claim_tasks(worker_id => 'w');

SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('left', 'skipped'), ('look', 'completed'), ('right', 'skipped')$$,
  'both leaves are skipped');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.runs$$,
  $$VALUES ('completed', '{}'::jsonb)$$,
  'the run completes with an output without the skipped leaves');
SELECT isnt((SELECT finished_at FROM pgflow.runs), NULL, 'the run has a finish time');
SELECT * FROM finish();
ROLLBACK;
