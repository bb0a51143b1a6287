BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "approval", "signal": true}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT is_empty($$SELECT * FROM pgflow.signal_deadlines$$, 'no deadline is recorded');
SELECT pgflow._apply_signal_deadlines(now() + interval '100 years');
SELECT is((SELECT status FROM pgflow.step_states), 'started', 'the step waits, whatever the time');
SELECT * FROM finish();
ROLLBACK;
