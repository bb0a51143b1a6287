BEGIN;
SELECT plan(2);

SELECT is(
  (SELECT (f.flow_slug, f.version, f.max_attempts, f.base_delay, f.timeout)::text
     FROM pgflow.create_flow(flow_slug => 'tuned', max_attempts => 7, base_delay => 0, timeout => 1) AS f),
  '(tuned,1,7,0,1)',
  'create_flow returns version 1 with the given options (lower bounds included)');
SELECT results_eq(
  $$SELECT flow_slug, version, max_attempts, base_delay, timeout FROM pgflow.flows$$,
  $$VALUES ('tuned', 1, 7, 0, 1)$$,
  'the given options are stored in pgflow.flows');

SELECT * FROM finish();
ROLLBACK;
