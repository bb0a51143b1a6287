-- A fan-out task exhausting with when_exhausted = skip: the whole fan-out step is
-- skipped (its other tasks cancelled), skip_reason carries the error, and the
-- dependents run without its key.
BEGIN;
SELECT plan(6);

SELECT pgflow.define_flow('{"slug": "fan_skip", "steps": [
  {"slug": "list"}, {"slug": "each", "deps": ["list"], "fan_out": true, "max_attempts": 1, "when_exhausted": "skip"},
  {"slug": "after", "deps": ["each", "list"]}]}');
SELECT pgflow.start_flow(flow_slug => 'fan_skip', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'list', output => '[1, 2, 3]')
  FROM pgflow.claim_tasks(worker_id => 'w');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10);
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each', task_index => 1,
                        error_message => 'bad item 2');

SELECT results_eq(
  $$SELECT task_index, status FROM pgflow.step_tasks WHERE step_slug = 'each' ORDER BY task_index$$,
  $$VALUES (0, 'cancelled'), (1, 'failed'), (2, 'cancelled')$$,
  'the exhausted task is failed and the others are cancelled');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'each'), 'skipped', 'the fan-out step is skipped');
SELECT matches((SELECT skip_reason FROM pgflow.step_states WHERE step_slug = 'each'), 'bad item 2',
  'skip_reason includes the error');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10)$$,
  $$VALUES ('after', '{"run": {}, "list": [1, 2, 3]}'::jsonb)$$,
  'only the dependent is claimable, without the skipped step''s key');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'after', output => '"ok"');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"after": "ok"}'::jsonb)$$,
  'the run completes');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'each' AND status IN ('queued', 'started')), 0,
  'no task of the skipped step is left to run');
SELECT * FROM finish();
ROLLBACK;
