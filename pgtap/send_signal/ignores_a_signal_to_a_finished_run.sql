-- A signal to a completed, failed or cancelled run is ignored (a NOTICE), and
-- not kept: retry_run must not find it later.
BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "draft"}, {"slug": "approval", "deps": ["draft"], "signal": true, "signal_timeout": 3600}, {"slug": "publish", "deps": ["approval"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT lives_ok($$SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', payload => '1')$$,
  'a signal to a cancelled run does not raise');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'approval'), 'cancelled', 'the step is unchanged');
SELECT is_empty($$SELECT * FROM pgflow.signals$$, 'and the signal is not kept');
SELECT * FROM finish();
ROLLBACK;
