-- A run cancelled while its signal step waited leaves the deadline behind;
-- when it comes it finds nothing waiting: it is removed, nothing changes.
BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "approval", "signal": true, "signal_timeout": 60}, {"slug": "publish", "deps": ["approval"]}, {"slug": "notify", "deps": ["publish"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT is(pgflow._apply_signal_deadlines(now() + interval '61 seconds'), 0, 'nothing is failed');
SELECT is((SELECT status FROM pgflow.runs), 'cancelled', 'the run stays cancelled');
SELECT is_empty($$SELECT * FROM pgflow.signal_deadlines$$, 'and the stale deadline is gone');
SELECT * FROM finish();
ROLLBACK;
