-- A pruned run takes its signals and signal deadlines with it (foreign keys on
-- step_states, ON DELETE CASCADE): nothing of it is left to apply.
BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "signal": true, "signal_timeout": 60}, {"slug": "b", "deps": ["a"], "signal": true}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', payload => '1');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001');
UPDATE pgflow.runs SET finished_at = now() - interval '2 days';
SELECT results_eq($$SELECT (SELECT count(*) FROM pgflow.signals), (SELECT count(*) FROM pgflow.signal_deadlines)$$,
  $$VALUES (1::bigint, 1::bigint)$$, 'the run has a kept signal and a deadline');
SELECT pgflow.prune(older_than => interval '1 day');
SELECT results_eq($$SELECT (SELECT count(*) FROM pgflow.signals), (SELECT count(*) FROM pgflow.signal_deadlines)$$,
  $$VALUES (0::bigint, 0::bigint)$$, 'pruning the run removes both');
SELECT * FROM finish();
ROLLBACK;
