-- The payload becomes the step's output: over max_output_bytes it is refused
-- (nothing kept, the step still waits).
BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "ping", "signal": true, "max_output_bytes": 10}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT throws_ok($$SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'ping', payload => '"a long long payload"')$$,
  '54000', 'cannot send signal "ping" to run 00000000-0000-0000-0000-000000000001: its payload is 21 bytes, over max_output_bytes 10',
  'a payload too large raises');
SELECT results_eq($$SELECT ss.status, (SELECT count(*) FROM pgflow.signals) FROM pgflow.step_states AS ss$$,
  $$VALUES ('started', 0::bigint)$$, 'nothing is kept and the step still waits');
SELECT * FROM finish();
ROLLBACK;
