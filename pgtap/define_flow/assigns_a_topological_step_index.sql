BEGIN;
SELECT plan(3);

SELECT pgflow.define_flow(definition => '{"slug": "topo", "steps": [
  {"slug": "report", "deps": ["merge"]},
  {"slug": "merge", "deps": ["a", "b", "c"]},
  {"slug": "c", "deps": ["b"]},
  {"slug": "b", "deps": ["a"]},
  {"slug": "a"},
  {"slug": "side"}]}');

SELECT is(
  (SELECT count(*)::int
     FROM pgflow.deps AS d
     JOIN pgflow.steps AS s ON (s.flow_slug, s.flow_version, s.step_slug) = (d.flow_slug, d.flow_version, d.step_slug)
     JOIN pgflow.steps AS p ON (p.flow_slug, p.flow_version, p.step_slug) = (d.flow_slug, d.flow_version, d.dep_slug)
    WHERE d.flow_slug = 'topo' AND p.step_index >= s.step_index),
  0,
  'every step has a higher step_index than each of its dependencies');
SELECT results_eq(
  $$SELECT array_agg(step_index ORDER BY step_index) FROM pgflow.steps WHERE flow_slug = 'topo'$$,
  $$VALUES (ARRAY[0, 1, 2, 3, 4, 5])$$,
  'step_index values are 0..n-1 without gaps or repeats');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.steps WHERE flow_slug = 'topo' AND step_index >= 4 ORDER BY step_index$$,
  $$VALUES ('merge'), ('report')$$,
  'the chain''s end comes last');

SELECT * FROM finish();
ROLLBACK;
