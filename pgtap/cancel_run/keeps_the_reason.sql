BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000002');
SELECT matches(
  (SELECT error_message FROM pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001',
                                               reason => 'customer withdrew order 42')),
  'customer withdrew order 42', 'cancel_run returns the reason in error_message');
SELECT matches((SELECT error_message FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'),
  'customer withdrew order 42', 'the reason is kept in runs.error_message');
SELECT results_eq(
  $$SELECT status, error_message IS NOT NULL
      FROM pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000002')$$,
  $$VALUES ('cancelled', true)$$, 'without a reason the run is cancelled too, and error_message still says so');
SELECT * FROM finish();
ROLLBACK;
