-- A one-element array makes one task; the step output is a one-element array.
BEGIN;
SELECT plan(3);

SELECT pgflow.define_flow('{"slug": "fan1", "steps": [
  {"slug": "list"}, {"slug": "each", "deps": ["list"], "fan_out": true}]}');
SELECT pgflow.start_flow(flow_slug => 'fan1', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'list', output => '["only"]')
  FROM pgflow.claim_tasks(worker_id => 'w');

SELECT results_eq(
  $$SELECT step_slug, task_index, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('each', 0, '{"item": "only", "index": 0}'::jsonb)$$,
  'one task, index 0');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each', output => '"ONLY"');
SELECT is((SELECT output FROM pgflow.step_states WHERE step_slug = 'each'), '["ONLY"]'::jsonb,
  'the step output is a one-element array, not the bare output');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"each": ["ONLY"]}'::jsonb)$$,
  'the run completes with the array');
SELECT * FROM finish();
ROLLBACK;
