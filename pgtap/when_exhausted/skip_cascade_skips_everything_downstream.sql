-- when_exhausted = skip-cascade: the exhausted step and everything downstream of it
-- are skipped; other branches run and the run completes.
BEGIN;
SELECT plan(6);

SELECT pgflow.define_flow('{"slug": "cascade", "steps": [
  {"slug": "fetch", "max_attempts": 1, "when_exhausted": "skip-cascade"},
  {"slug": "other"},
  {"slug": "parse", "deps": ["fetch"]},
  {"slug": "join", "deps": ["parse", "other"]},
  {"slug": "report", "deps": ["other"]}]}');
SELECT pgflow.start_flow(flow_slug => 'cascade', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10);
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'fetch', error_message => 'http 503');

SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('fetch', 'skipped'), ('join', 'skipped'), ('other', 'started'), ('parse', 'skipped'), ('report', 'created')$$,
  'the exhausted step and everything downstream of it are skipped');
SELECT matches((SELECT skip_reason FROM pgflow.step_states WHERE step_slug = 'fetch'), 'http 503',
  'the step''s skip_reason includes the last error');
SELECT is(
  (SELECT count(*)::int FROM pgflow.step_states WHERE step_slug IN ('parse', 'join') AND skip_reason ~ '"fetch"'),
  2, 'the cascaded skip_reasons name the exhausted step');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'other', output => '1');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('report')$$,
  'only the branch outside the cascade runs');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'report', output => '2');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"report": 2}'::jsonb)$$,
  'the run completes without the skipped leaf');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug IN ('parse', 'join')), 0,
  'no skipped step got a task');
SELECT * FROM finish();
ROLLBACK;
