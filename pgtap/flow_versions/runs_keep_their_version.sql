BEGIN;
SELECT plan(4);

SELECT pgflow.define_flow(definition => '{"slug": "keep", "steps": [
  {"slug": "fetch"}, {"slug": "parse", "deps": ["fetch"]}]}');
SELECT pgflow.start_flow(flow_slug => 'keep', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.define_flow(definition => '{"slug": "keep", "steps": [
  {"slug": "fetch"}, {"slug": "parse_v2", "deps": ["fetch"]}, {"slug": "store", "deps": ["parse_v2"]}]}');

SELECT is(
  (SELECT flow_version FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'),
  1, 'the old run keeps flow_version 1');
SELECT set_eq(
  $$SELECT step_slug FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001'$$,
  $$SELECT step_slug FROM pgflow.steps WHERE flow_slug = 'keep' AND flow_version = 1$$,
  'its step states still match version 1''s steps');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.steps WHERE flow_slug = 'keep' AND flow_version = 1 ORDER BY step_index$$,
  $$VALUES ('fetch'), ('parse')$$,
  'version 1''s steps are untouched');
SELECT results_eq(
  $$SELECT step_slug, dep_slug FROM pgflow.deps WHERE flow_slug = 'keep' AND flow_version = 1$$,
  $$VALUES ('parse', 'fetch')$$,
  'version 1''s dependencies are untouched');

SELECT * FROM finish();
ROLLBACK;
