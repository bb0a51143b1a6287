-- when_exhausted = skip: the exhausted step is skipped, its skip_reason carries the
-- last error, and its dependents run without its key.
BEGIN;
SELECT plan(6);

SELECT pgflow.define_flow('{"slug": "optional", "steps": [
  {"slug": "enrich", "max_attempts": 2, "base_delay": 0, "when_exhausted": "skip"},
  {"slug": "load"},
  {"slug": "save", "deps": ["enrich", "load"]}]}');
SELECT pgflow.start_flow(flow_slug => 'optional', input => '{"id": 7}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10);
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'load', output => '{"row": 1}');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'enrich', error_message => 'api down (1)');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10);
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'enrich', error_message => 'api down (2)');

SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'enrich'), 'skipped', 'the exhausted step is skipped');
SELECT matches((SELECT skip_reason FROM pgflow.step_states WHERE step_slug = 'enrich'), 'api down \(2\)',
  'skip_reason includes the last error');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'the run goes on');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('save', '{"run": {"id": 7}, "load": {"row": 1}}'::jsonb)$$,
  'the dependent runs without the skipped step''s key');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'save', output => '"saved"');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"save": "saved"}'::jsonb)$$,
  'the run completes');
SELECT is((SELECT error_message FROM pgflow.runs), NULL, 'the run has no error');
SELECT * FROM finish();
ROLLBACK;
