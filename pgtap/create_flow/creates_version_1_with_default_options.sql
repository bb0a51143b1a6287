BEGIN;
SELECT plan(3);

SELECT is(
  (SELECT (f.flow_slug, f.version, f.max_attempts, f.base_delay, f.timeout)::text
     FROM pgflow.create_flow(flow_slug => 'defaults') AS f),
  '(defaults,1,3,1,60)',
  'create_flow returns version 1 with max_attempts 3, base_delay 1, timeout 60');
SELECT results_eq(
  $$SELECT flow_slug, version, max_attempts, base_delay, timeout FROM pgflow.flows$$,
  $$VALUES ('defaults', 1, 3, 1, 60)$$,
  'one row is stored in pgflow.flows with the defaults');
SELECT is((SELECT count(*)::int FROM pgflow.steps WHERE flow_slug = 'defaults'), 0,
  'a new flow has no steps');

SELECT * FROM finish();
ROLLBACK;
