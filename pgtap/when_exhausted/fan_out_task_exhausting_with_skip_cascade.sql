-- A fan-out task exhausting with when_exhausted = skip-cascade: the fan-out step
-- and everything downstream are skipped; the run completes with the other branch.
BEGIN;
SELECT plan(4);

SELECT pgflow.define_flow('{"slug": "fan_cascade", "steps": [
  {"slug": "list"},
  {"slug": "each", "deps": ["list"], "fan_out": true, "max_attempts": 1, "when_exhausted": "skip-cascade"},
  {"slug": "combine", "deps": ["each"]},
  {"slug": "publish", "deps": ["combine"]},
  {"slug": "audit", "deps": ["list"]}]}');
SELECT pgflow.start_flow(flow_slug => 'fan_cascade', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'list', output => '["a", "b"]')
  FROM pgflow.claim_tasks(worker_id => 'w');
CREATE TEMP TABLE claimed AS SELECT * FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10);
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each', task_index => 0,
                        error_message => 'boom');

SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('audit', 'started'), ('combine', 'skipped'), ('each', 'skipped'), ('list', 'completed'), ('publish', 'skipped')$$,
  'the fan-out step and everything downstream are skipped');
SELECT is(
  (SELECT count(*)::int FROM pgflow.step_states WHERE step_slug IN ('combine', 'publish') AND skip_reason ~ '"each"'),
  2, 'the cascaded skip_reasons name the fan-out step');
SELECT results_eq(
  $$SELECT task_index, status FROM pgflow.step_tasks WHERE step_slug = 'each' ORDER BY task_index$$,
  $$VALUES (0, 'failed'), (1, 'cancelled')$$,
  'the sibling task is cancelled');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'audit', output => '"seen"');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"audit": "seen"}'::jsonb)$$,
  'the run completes with the output of the branch that ran');
SELECT * FROM finish();
ROLLBACK;
