BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT throws_like(
  $$SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-0000000000ff')$$,
  '%00000000-0000-0000-0000-0000000000ff%', 'an unknown run is an error naming it');
SELECT throws_ok(
  $$SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-0000000000ff', reason => 'x')$$,
  'P0002', NULL, 'with SQLSTATE P0002 (no data found)');
SELECT results_eq($$SELECT status, error_message FROM pgflow.runs$$, $$VALUES ('started', NULL::text)$$,
  'the other run is untouched');
SELECT * FROM finish();
ROLLBACK;
