BEGIN;
SELECT plan(1);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [
  {"slug": "ok_step"}, {"slug": "bad_step"}, {"slug": "waiting", "deps": ["ok_step", "bad_step"]}, {"slug": "queued_step"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second' WHERE step_slug IN ('ok_step', 'bad_step');
SELECT pgflow.claim_tasks(worker_id => 'w1', max_tasks => 2);
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'ok_step', output => '{"v": 1}');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'bad_step', error_message => 'disk full');
SELECT results_eq(
  $$SELECT step_slug, status, output, error_message ~ 'bad_step' AND error_message ~ 'disk full'
      FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' ORDER BY step_slug$$,
  $$VALUES ('bad_step', 'failed', NULL::jsonb, true),
           ('ok_step', 'completed', '{"v": 1}'::jsonb, NULL),
           ('queued_step', 'cancelled', NULL::jsonb, NULL),
           ('waiting', 'cancelled', NULL::jsonb, NULL)$$,
  'one SELECT over step_states tells each step''s status, output and error');
SELECT * FROM finish();
ROLLBACK;
