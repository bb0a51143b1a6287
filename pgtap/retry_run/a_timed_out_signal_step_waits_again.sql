-- A run failed by a missed signal deadline, retried: the step waits again,
-- with a new deadline from the retry, and a signal now completes it.
BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "approval", "signal": true, "signal_timeout": 60}, {"slug": "publish", "deps": ["approval"]}, {"slug": "notify", "deps": ["publish"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow._apply_signal_deadlines(now() + interval '61 seconds');
SELECT is((pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001')).status, 'started', 'the run is retried');
SELECT results_eq($$SELECT status, error_message FROM pgflow.step_states WHERE step_slug = 'approval'$$,
  $$VALUES ('started', NULL::text)$$, 'the signal step waits again');
SELECT is((SELECT deadline FROM pgflow.signal_deadlines), now() + interval '60 seconds', 'with a new deadline');
SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', payload => '"late but welcome"');
SELECT is((SELECT step_slug FROM pgflow.claim_tasks(worker_id => 'w1')), 'publish', 'the signal completes it and the run goes on');
SELECT * FROM finish();
ROLLBACK;
