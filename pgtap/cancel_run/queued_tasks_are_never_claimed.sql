BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [
  {"slug": "a"}, {"slug": "items"}, {"slug": "each", "deps": ["items"], "fan_out": true}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000002');
-- Run 1: its fan-out step has three queued tasks, and its step a is in flight with an expired lease.
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'items', output => '[1, 2, 3]');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'items', output => '[1]');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'a', output => '1');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second'
 WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'a';
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks
            WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'each' AND status = 'queued'), 3,
  'run 1 has three queued fan-out tasks before the cancel');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq(
  $$SELECT run_id, step_slug, task_index, attempt FROM pgflow.claim_tasks(worker_id => 'w2', max_tasks => 10)$$,
  $$VALUES ('00000000-0000-0000-0000-000000000002'::uuid, 'each', 0, 1)$$,
  'claim_tasks hands out only the other run''s task: neither the queued nor the expired tasks of the cancelled run');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w3', max_tasks => 10)$$,
  'nothing of the cancelled run is claimable later either');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks
            WHERE run_id = '00000000-0000-0000-0000-000000000001' AND status IN ('queued', 'started')), 0,
  'no task of the cancelled run is queued or started');
SELECT * FROM finish();
ROLLBACK;
