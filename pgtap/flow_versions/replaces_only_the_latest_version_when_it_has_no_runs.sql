BEGIN;
SELECT plan(4);

SELECT pgflow.define_flow(definition => '{"slug": "deploys", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'deploys');
SELECT pgflow.define_flow(definition => '{"slug": "deploys", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
-- Version 2 has no runs yet: the next deploy replaces it.
SELECT is(
  (SELECT f.version FROM pgflow.define_flow(definition => '{"slug": "deploys", "steps": [
     {"slug": "a"}, {"slug": "c", "deps": ["a"]}]}') AS f),
  2, 'a new shape replaces version 2, which has no runs');
SELECT results_eq(
  $$SELECT version FROM pgflow.flows WHERE flow_slug = 'deploys' ORDER BY version$$,
  $$VALUES (1), (2)$$,
  'there are still two versions');
SELECT results_eq(
  $$SELECT flow_version, step_slug FROM pgflow.steps WHERE flow_slug = 'deploys' ORDER BY flow_version, step_index$$,
  $$VALUES (1, 'a'), (2, 'a'), (2, 'c')$$,
  'version 1 (with its run) is untouched; version 2 has the latest shape');
-- Going back to version 1's shape is a new shape relative to the latest: it replaces version 2 too.
SELECT is(
  (SELECT f.version FROM pgflow.define_flow(definition => '{"slug": "deploys", "steps": [{"slug": "a"}]}') AS f),
  2, 'redeploying version 1''s shape replaces version 2 rather than touching version 1');

SELECT * FROM finish();
ROLLBACK;
