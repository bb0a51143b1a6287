BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "analyze", "steps": [
  {"slug": "sentiment"}, {"slug": "summary"}, {"slug": "combine", "deps": ["sentiment", "summary"]}]}');
SELECT pgflow.start_flow('analyze', '{"text": "hi"}', '00000000-0000-0000-0000-000000000001');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'the run is started');
SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('combine', 'created'), ('sentiment', 'started'), ('summary', 'started')$$,
  'roots start, the join waits');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status = 'queued'), 2, 'one queued task per root');
SELECT * FROM finish();
ROLLBACK;
