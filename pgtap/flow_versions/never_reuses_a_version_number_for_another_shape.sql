-- Each new shape gets the next version number, whether the latest has runs or
-- not, and going back to an older shape is a new version too: a version number,
-- once given to a shape, names that shape for good.
BEGIN;
SELECT plan(4);

SELECT pgflow.define_flow(definition => '{"slug": "deploys", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'deploys');
SELECT pgflow.define_flow(definition => '{"slug": "deploys", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT is(
  (SELECT f.version FROM pgflow.define_flow(definition => '{"slug": "deploys", "steps": [
     {"slug": "a"}, {"slug": "c", "deps": ["a"]}]}') AS f),
  3, 'a new shape after version 2 (which has no runs) is version 3');
SELECT is(
  (SELECT f.version FROM pgflow.define_flow(definition => '{"slug": "deploys", "steps": [{"slug": "a"}]}') AS f),
  4, 'redeploying version 1''s shape is version 4');
SELECT results_eq(
  $$SELECT flow_version, string_agg(step_slug, ',' ORDER BY step_index) FROM pgflow.steps
     WHERE flow_slug = 'deploys' GROUP BY flow_version ORDER BY flow_version$$,
  $$VALUES (1, 'a'), (2, 'a,b'), (3, 'a,c'), (4, 'a')$$,
  'every version keeps the shape it was given');
SELECT is(
  (SELECT f.version FROM pgflow.define_flow(definition => '{"slug": "deploys", "steps": [{"slug": "a"}]}') AS f),
  4, 'the same shape again creates nothing');

SELECT * FROM finish();
ROLLBACK;
