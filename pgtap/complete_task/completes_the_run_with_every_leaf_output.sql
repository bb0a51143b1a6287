BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [
  {"slug": "root"}, {"slug": "leaf1", "deps": ["root"]}, {"slug": "leaf2", "deps": ["root"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'root', output => '"r"');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'leaf2', output => '[2]');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'one leaf left: the run goes on');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'leaf1', output => '{"one": 1}');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.runs$$,
  $$VALUES ('completed', '{"leaf1": {"one": 1}, "leaf2": [2]}'::jsonb)$$,
  'the run output has both leaves, and not the root');
SELECT * FROM finish();
ROLLBACK;
