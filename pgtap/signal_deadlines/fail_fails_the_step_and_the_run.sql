-- Past its deadline without a signal, a signal step fails (when_exhausted =
-- fail, the default) and so does its run; the error names the step and the
-- timeout. A deadline not yet due changes nothing.
BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "approval", "signal": true, "signal_timeout": 60}, {"slug": "publish", "deps": ["approval"]}, {"slug": "notify", "deps": ["publish"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT is(pgflow._apply_signal_deadlines(now() + interval '59 seconds'), 0, 'before the deadline: nothing');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'approval'), 'started', 'the step still waits');
SELECT is(pgflow._apply_signal_deadlines(now() + interval '60 seconds'), 1, 'at the deadline: one step');
SELECT results_eq($$SELECT status, error_message FROM pgflow.step_states WHERE step_slug = 'approval'$$,
  $$VALUES ('failed', format('signal step "approval" received no signal within its signal_timeout (60 s, from %s to %s)',
                              now(), now() + interval '60 seconds'))$$, 'the step failed, naming itself and the timeout');
SELECT results_eq($$SELECT status, error_message LIKE 'signal step "approval" received no signal within %' FROM pgflow.runs$$,
  $$VALUES ('failed', true)$$, 'and the run failed with it');
SELECT * FROM finish();
ROLLBACK;
