-- A worker's report for a signal step (which has no task) is refused with a
-- message that says what it is and what to call instead.
BEGIN;
SELECT plan(1);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "approval", "signal": true}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT throws_ok($$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', output => '1')$$,
  '55000', 'step "approval" of run 00000000-0000-0000-0000-000000000001 is a signal step: it has no tasks (the step is started)',
  'complete_task names the signal step');
SELECT * FROM finish();
ROLLBACK;
