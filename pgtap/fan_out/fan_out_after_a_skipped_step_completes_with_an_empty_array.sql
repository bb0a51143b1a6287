-- A fan-out step whose dependency was skipped fans out over nothing: it completes
-- at once with [] and its dependents proceed.
BEGIN;
SELECT plan(4);

SELECT pgflow.define_flow('{"slug": "skip_fan", "steps": [
  {"slug": "list", "run_if": {"run": {"has_items": true}}},
  {"slug": "each", "deps": ["list"], "fan_out": true},
  {"slug": "after", "deps": ["each"]}]}');
SELECT pgflow.start_flow(flow_slug => 'skip_fan', input => '{"has_items": false}',
                         run_id => '00000000-0000-0000-0000-000000000001');

SELECT results_eq(
  $$SELECT step_slug, status, output FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('after', 'started', NULL::jsonb), ('each', 'completed', '[]'::jsonb), ('list', 'skipped', NULL)$$,
  'the dependency is skipped, the fan-out step completes with [], its dependent starts');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'each'), 0, 'the fan-out step has no tasks');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('after', '{"run": {"has_items": false}, "each": []}'::jsonb)$$,
  'the dependent gets [] from the fan-out step');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'after', output => '"none"');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"after": "none"}'::jsonb)$$,
  'the run completes');
SELECT * FROM finish();
ROLLBACK;
