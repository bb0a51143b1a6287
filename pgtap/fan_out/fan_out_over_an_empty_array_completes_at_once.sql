-- A fan-out over [] has no tasks: the step completes at once with [] and its
-- dependents proceed in the same transaction.
BEGIN;
SELECT plan(5);

SELECT pgflow.define_flow('{"slug": "fan0", "steps": [
  {"slug": "list"}, {"slug": "each", "deps": ["list"], "fan_out": true},
  {"slug": "after", "deps": ["each"]}]}');
SELECT pgflow.start_flow(flow_slug => 'fan0', input => '{"k": 1}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT lives_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'list', output => '[]')
      FROM pgflow.claim_tasks(worker_id => 'w')$$,
  'completing the dependency with [] succeeds');

SELECT results_eq(
  $$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'each'$$,
  $$VALUES ('completed', '[]'::jsonb)$$,
  'the fan-out step is completed with []');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'each'), 0, 'it has no tasks');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('after', '{"run": {"k": 1}, "each": []}'::jsonb)$$,
  'the dependent is claimable at once with [] under the fan-out step''s key');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'after', output => '0');
SELECT is((SELECT status FROM pgflow.runs), 'completed', 'the run completes');
SELECT * FROM finish();
ROLLBACK;
