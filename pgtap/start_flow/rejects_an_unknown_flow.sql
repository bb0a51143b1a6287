BEGIN;
SELECT plan(3);
SELECT throws_ok(
  $$SELECT pgflow.start_flow(flow_slug => 'no_such_flow')$$,
  'P0002', NULL, 'an unknown flow raises P0002');
SELECT throws_like(
  $$SELECT pgflow.start_flow(flow_slug => 'no_such_flow')$$,
  '%no_such_flow%', 'the error names the flow');
SELECT is((SELECT count(*)::int FROM pgflow.runs), 0, 'no run was created');
SELECT * FROM finish();
ROLLBACK;
