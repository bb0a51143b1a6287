-- run_if/run_unless decide whether a signal step waits at all: unmet, it is
-- skipped like any step (and a signal to it is then ignored); met, it waits.
BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "approval", "signal": true, "run_if": {"run": {"needs_approval": true}}}, {"slug": "after", "deps": ["approval"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"needs_approval": false}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"needs_approval": true}', run_id => '00000000-0000-0000-0000-000000000002');
SELECT results_eq($$SELECT status, skip_reason FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'approval'$$,
  $$VALUES ('skipped', 'run_if {"run": {"needs_approval": true}} is not met: the input does not contain it')$$,
  'unmet: skipped with its reason');
SELECT is((SELECT status FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'after'), 'started',
  'and its dependent runs without it');
SELECT is((SELECT status FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000002' AND step_slug = 'approval'),
  'started', 'met: it waits for its signal');
SELECT is((pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', payload => '1')).status, 'skipped',
  'a signal to the skipped step is ignored');
SELECT * FROM finish();
ROLLBACK;
