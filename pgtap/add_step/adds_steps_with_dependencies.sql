BEGIN;
SELECT plan(5);

SELECT pgflow.create_flow(flow_slug => 'etl');
SELECT is(
  (SELECT (s.flow_slug, s.flow_version, s.step_slug, s.deps_count, s.fan_out)::text
     FROM pgflow.add_step(flow_slug => 'etl', step_slug => 'extract') AS s),
  '(etl,1,extract,0,f)',
  'add_step returns the new root step of version 1');
SELECT pgflow.add_step(flow_slug => 'etl', step_slug => 'clean', deps => ARRAY['extract']);
SELECT pgflow.add_step(flow_slug => 'etl', step_slug => 'enrich', deps => ARRAY['extract']);
SELECT is(
  (SELECT (s.step_slug, s.deps_count)::text
     FROM pgflow.add_step(flow_slug => 'etl', step_slug => 'load', deps => ARRAY['clean', 'enrich']) AS s),
  '(load,2)',
  'add_step returns a join step with deps_count 2');

SELECT results_eq(
  $$SELECT step_slug, deps_count FROM pgflow.steps WHERE flow_slug = 'etl' AND flow_version = 1 ORDER BY step_index$$,
  $$VALUES ('extract', 0), ('clean', 1), ('enrich', 1), ('load', 2)$$,
  'steps are stored in the order they were added, with their dependency counts');
SELECT results_eq(
  $$SELECT step_slug, dep_slug FROM pgflow.deps WHERE flow_slug = 'etl' ORDER BY step_slug, dep_slug$$,
  $$VALUES ('clean', 'extract'), ('enrich', 'extract'), ('load', 'clean'), ('load', 'enrich')$$,
  'every dependency is a row in pgflow.deps');
SELECT is(
  (SELECT count(*)::int FROM pgflow.flows WHERE flow_slug = 'etl'), 1,
  'adding steps creates no new version');

SELECT * FROM finish();
ROLLBACK;
