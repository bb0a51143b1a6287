-- send_signal is an application's or operator's act (like start_flow): granted to
-- pgflow_admin only. A worker reports the tasks it claimed, and a signal completes
-- a step no worker holds; a reader only reads. Deadlines need no grant: claim_tasks
-- (a worker's) applies them as the owner.
BEGIN;
CREATE ROLE pgflow_test_sec_signal_admin NOLOGIN IN ROLE pgflow_admin;
CREATE ROLE pgflow_test_sec_signal_worker NOLOGIN IN ROLE pgflow_worker;
CREATE ROLE pgflow_test_sec_signal_reader NOLOGIN IN ROLE pgflow_reader;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "approval", "signal": true, "signal_timeout": 60}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000002');

SET ROLE pgflow_test_sec_signal_worker;
SELECT throws_ok($$SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval')$$,
  '42501', NULL, 'a worker cannot send a signal');
SELECT throws_ok($$SELECT pgflow._apply_signal_deadlines()$$, '42501', NULL, 'nor call the deadline function itself');
RESET ROLE;
SET ROLE pgflow_test_sec_signal_reader;
SELECT throws_ok($$SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval')$$,
  '42501', NULL, 'nor a reader');
RESET ROLE;
SET ROLE pgflow_test_sec_signal_admin;
SELECT is((pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', payload => '1')).status,
  'completed', 'an admin can');
RESET ROLE;

-- A worker's claim applies a due deadline although the worker may not touch the tables.
UPDATE pgflow.signal_deadlines SET deadline = now() - interval '1 second';
SET ROLE pgflow_test_sec_signal_worker;
SELECT set_config('pgflow.next_signal_deadline_check', '', false);
SELECT lives_ok($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'a worker claims');
RESET ROLE;
SELECT is((SELECT status FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000002'), 'failed',
  'and its claim failed the run whose signal did not come in time');
SELECT * FROM finish();
ROLLBACK;
