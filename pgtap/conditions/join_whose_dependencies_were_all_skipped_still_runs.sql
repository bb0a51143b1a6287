-- With plain skip, a join whose dependencies were all skipped still runs, with
-- only the flow input in its input.
BEGIN;
SELECT plan(3);

SELECT pgflow.create_flow(flow_slug => 'all_skipped');
SELECT pgflow.add_step(flow_slug => 'all_skipped', step_slug => 'a', run_if => '{"run": {"x": 1}}');
SELECT pgflow.add_step(flow_slug => 'all_skipped', step_slug => 'b', run_unless => '{"run": {"y": 2}}');
SELECT pgflow.add_step(flow_slug => 'all_skipped', step_slug => 'j', deps => ARRAY['a', 'b']);
SELECT pgflow.start_flow(flow_slug => 'all_skipped', input => '{"x": 0, "y": 2}',
                         run_id => '00000000-0000-0000-0000-000000000001');

SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('a', 'skipped'), ('b', 'skipped'), ('j', 'started')$$,
  'both dependencies are skipped and the join starts');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('j', '{"run": {"x": 0, "y": 2}}'::jsonb)$$,
  'the join''s input is the flow input only');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'j', output => '"done"');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.runs$$,
  $$VALUES ('completed', '{"j": "done"}'::jsonb)$$,
  'the run completes');
SELECT * FROM finish();
ROLLBACK;
