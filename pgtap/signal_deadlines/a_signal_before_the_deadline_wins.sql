BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "approval", "signal": true, "signal_timeout": 60}, {"slug": "publish", "deps": ["approval"]}, {"slug": "notify", "deps": ["publish"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', payload => '"ok"');
SELECT is(pgflow._apply_signal_deadlines(now() + interval '1 day'), 0, 'the deadline of a signalled step never fires');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'approval'), 'completed', 'the step stays completed');
SELECT * FROM finish();
ROLLBACK;
