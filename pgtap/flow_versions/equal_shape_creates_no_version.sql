BEGIN;
SELECT plan(5);

SELECT pgflow.define_flow(definition => '{"slug": "same", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'same');

-- Same shape, steps listed in another order, defaults spelled out.
SELECT is(
  (SELECT (f.flow_slug, f.version)::text FROM pgflow.define_flow(definition => '{"slug": "same", "steps": [
     {"slug": "b", "deps": ["a"], "fan_out": false, "when_unmet": "skip", "when_exhausted": "fail"},
     {"slug": "a", "deps": []}]}') AS f),
  '(same,1)',
  'redefining an equal shape returns version 1');
SELECT is((SELECT count(*)::int FROM pgflow.flows WHERE flow_slug = 'same'), 1, 'no version was created');
SELECT is((SELECT count(*)::int FROM pgflow.steps WHERE flow_slug = 'same'), 2, 'no step was added');

-- Same again, without runs in between and without any change at all.
SELECT is(
  (SELECT (f.flow_slug, f.version)::text FROM pgflow.define_flow(definition => '{"slug": "same", "steps": [
     {"slug": "a"}, {"slug": "b", "deps": ["a"]}]}') AS f),
  '(same,1)',
  'redefining it unchanged again still returns version 1');
SELECT is((SELECT count(*)::int FROM pgflow.flows WHERE flow_slug = 'same'), 1, 'still one version');

SELECT * FROM finish();
ROLLBACK;
