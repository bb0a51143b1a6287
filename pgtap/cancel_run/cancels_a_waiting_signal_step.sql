-- A waiting signal step is cancelled with its run; a signal afterwards is ignored.
BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "approval", "signal": true, "signal_timeout": 60}, {"slug": "publish", "deps": ["approval"]}, {"slug": "notify", "deps": ["publish"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001', reason => 'no longer needed');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'approval'), 'cancelled', 'the waiting step is cancelled');
SELECT is((pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', payload => '1')).status, 'cancelled',
  'a signal afterwards changes nothing');
SELECT * FROM finish();
ROLLBACK;
