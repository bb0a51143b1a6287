BEGIN;
SELECT plan(5);

SELECT pgflow.define_flow(definition => '{"slug": "draft", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');

SELECT is(
  (SELECT (f.flow_slug, f.version)::text FROM pgflow.define_flow(definition => '{"slug": "draft", "timeout": 5, "steps": [
     {"slug": "a"}, {"slug": "c", "deps": ["a"], "fan_out": true}]}') AS f),
  '(draft,1)',
  'a new shape on a version without runs returns version 1');
SELECT results_eq(
  $$SELECT version, timeout FROM pgflow.flows WHERE flow_slug = 'draft'$$,
  $$VALUES (1, 5)$$,
  'there is still only version 1, with the new options');
SELECT results_eq(
  $$SELECT step_slug, fan_out FROM pgflow.steps WHERE flow_slug = 'draft' ORDER BY step_index$$,
  $$VALUES ('a', false), ('c', true)$$,
  'version 1 has the new steps; the old step b is gone');
SELECT results_eq(
  $$SELECT step_slug, dep_slug FROM pgflow.deps WHERE flow_slug = 'draft'$$,
  $$VALUES ('c', 'a')$$,
  'version 1 has the new edges only');
SELECT results_eq(
  $$SELECT (pgflow.start_flow(flow_slug => 'draft')).flow_version$$,
  $$VALUES (1)$$,
  'a run starts on version 1');

SELECT * FROM finish();
ROLLBACK;
