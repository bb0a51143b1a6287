BEGIN;
SELECT plan(6);

SELECT pgflow.define_flow(definition => '{"slug": "stable", "max_attempts": 4, "steps": [
  {"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');

-- A bad redeploy: new shape, but with a cycle. Then another with an unknown key.
SELECT throws_ok($$SELECT pgflow.define_flow(definition => '{"slug": "stable", "max_attempts": 9, "steps": [
  {"slug": "a", "deps": ["c"]}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}]}')$$,
  '42P17', NULL, 'a redeploy with a cycle is rejected');
SELECT throws_ok($$SELECT pgflow.define_flow(definition => '{"slug": "stable", "max_attempts": 9, "steps": [
  {"slug": "a"}, {"slug": "b", "deps": ["a"], "retry": 1}]}')$$,
  '22023', NULL, 'a redeploy with an unknown step key is rejected');

SELECT results_eq(
  $$SELECT version, max_attempts FROM pgflow.flows WHERE flow_slug = 'stable'$$,
  $$VALUES (1, 4)$$,
  'version 1 is still the only version, with its options unchanged');
SELECT results_eq(
  $$SELECT step_slug, deps_count FROM pgflow.steps WHERE flow_slug = 'stable' ORDER BY step_index$$,
  $$VALUES ('a', 0), ('b', 1)$$,
  'its steps are unchanged');
SELECT results_eq(
  $$SELECT step_slug, dep_slug FROM pgflow.deps WHERE flow_slug = 'stable'$$,
  $$VALUES ('b', 'a')$$,
  'its dependencies are unchanged');
SELECT lives_ok($$SELECT pgflow.start_flow(flow_slug => 'stable')$$, 'the flow still starts');

SELECT * FROM finish();
ROLLBACK;
