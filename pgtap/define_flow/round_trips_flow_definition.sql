BEGIN;
SELECT plan(5);

SELECT pgflow.define_flow(definition => '{"slug": "trip", "max_attempts": 5, "base_delay": 0, "timeout": 15, "steps": [
  {"slug": "summary", "deps": ["split", "fetch"], "run_unless": {"run": {"dry": true}}, "when_unmet": "skip-cascade"},
  {"slug": "split", "deps": ["fetch"]},
  {"slug": "each", "deps": ["split"], "fan_out": true, "max_attempts": 2, "timeout": 5, "when_exhausted": "skip"},
  {"slug": "fetch", "delay_seconds": 3, "run_if": {"run": {"go": true}}, "when_unmet": "fail"}]}');
SELECT pgflow.start_flow(flow_slug => 'trip');   -- freeze version 1

CREATE TEMP TABLE before_trip AS SELECT pgflow.flow_definition(flow_slug => 'trip') AS definition;

SELECT is(
  (SELECT (f.flow_slug, f.version)::text FROM pgflow.define_flow(definition => (SELECT definition FROM before_trip)) AS f),
  '(trip,1)',
  'define_flow(flow_definition(x)) returns the current version');
SELECT is((SELECT count(*)::int FROM pgflow.flows WHERE flow_slug = 'trip'), 1, 'no new version was created');
SELECT is((SELECT count(*)::int FROM pgflow.steps WHERE flow_slug = 'trip'), 4, 'no step was added');
SELECT is(pgflow.flow_definition(flow_slug => 'trip'), (SELECT definition FROM before_trip),
  'flow_definition is unchanged');
SELECT is((SELECT definition -> 'steps' -> 0 ->> 'slug' FROM before_trip), 'fetch',
  'the document lists steps in topological order');

SELECT * FROM finish();
ROLLBACK;
