BEGIN;
SELECT plan(4);

SELECT pgflow.create_flow(flow_slug => 'again', max_attempts => 5, base_delay => 2, timeout => 30);

SELECT is(
  (SELECT (f.flow_slug, f.version, f.max_attempts, f.base_delay, f.timeout)::text
     FROM pgflow.create_flow(flow_slug => 'again') AS f),
  '(again,1,5,2,30)',
  'a second create_flow returns the existing row, not one with the new arguments');
SELECT lives_ok(
  $$SELECT pgflow.create_flow(flow_slug => 'again', max_attempts => 5, base_delay => 2, timeout => 30)$$,
  'a third identical create_flow does not raise');
SELECT is((SELECT count(*)::int FROM pgflow.flows WHERE flow_slug = 'again'), 1,
  'still exactly one row for the slug');
SELECT results_eq(
  $$SELECT version, max_attempts, base_delay, timeout FROM pgflow.flows WHERE flow_slug = 'again'$$,
  $$VALUES (1, 5, 2, 30)$$,
  'the stored options are those of the first call');

SELECT * FROM finish();
ROLLBACK;
