BEGIN;
SELECT plan(6);

SELECT pgflow.define_flow(definition => '{"slug": "prod", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'prod');

SELECT is(
  (SELECT (f.flow_slug, f.version)::text FROM pgflow.define_flow(definition => '{"slug": "prod", "steps": [
     {"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}]}') AS f),
  '(prod,2)',
  'a new shape on a version with runs returns version 2');
SELECT results_eq(
  $$SELECT version FROM pgflow.flows WHERE flow_slug = 'prod' ORDER BY version$$,
  $$VALUES (1), (2)$$,
  'versions 1 and 2 exist');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.steps WHERE flow_slug = 'prod' AND flow_version = 1 ORDER BY step_index$$,
  $$VALUES ('a'), ('b')$$,
  'version 1 keeps its steps');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.steps WHERE flow_slug = 'prod' AND flow_version = 2 ORDER BY step_index$$,
  $$VALUES ('a'), ('b'), ('c')$$,
  'version 2 has the new steps');

-- A change of condition or policy alone is a change of shape too.
SELECT pgflow.start_flow(flow_slug => 'prod');
SELECT is(
  (SELECT f.version FROM pgflow.define_flow(definition => '{"slug": "prod", "steps": [
     {"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"], "when_exhausted": "skip"}]}') AS f),
  3,
  'changing only when_exhausted on a version with runs creates version 3');
SELECT pgflow.start_flow(flow_slug => 'prod');
SELECT is(
  (SELECT f.version FROM pgflow.define_flow(definition => '{"slug": "prod", "steps": [
     {"slug": "a"}, {"slug": "b", "deps": ["a"], "run_if": {"a": {"ok": true}}},
     {"slug": "c", "deps": ["b"], "when_exhausted": "skip"}]}') AS f),
  4,
  'adding only a run_if on a version with runs creates version 4');

SELECT * FROM finish();
ROLLBACK;
