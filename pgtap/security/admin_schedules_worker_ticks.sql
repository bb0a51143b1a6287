BEGIN;
CREATE ROLE pgflow_test_sched_admin NOLOGIN IN ROLE pgflow_admin;
CREATE ROLE pgflow_test_sched_worker NOLOGIN IN ROLE pgflow_worker;
CREATE ROLE pgflow_test_sched_reader NOLOGIN IN ROLE pgflow_reader;
SELECT plan(9);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SET ROLE pgflow_test_sched_admin;
SELECT lives_ok($$SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *')$$, 'an admin schedules');
SELECT lives_ok($$SELECT * FROM pgflow.sync_schedules('f', '[]')$$, 'and syncs a flow''s schedules');
SELECT is((SELECT count(*)::int FROM pgflow.schedules), 1, 'and reads them');
RESET ROLE;
UPDATE pgflow.schedules SET next_slot = now() - interval '1 minute';  -- a slot is due
SET ROLE pgflow_test_sched_worker;
SELECT is((SELECT count(*)::int FROM pgflow.tick()), 1, 'a worker ticks, starting the due run');
SELECT throws_ok($$SELECT pgflow.schedule(flow_slug => 'f', cron => '* * * * *', schedule_name => 'w')$$, '42501', NULL,
  'but cannot schedule');
SELECT throws_ok($$SELECT pgflow.unschedule(schedule_name => 'f')$$, '42501', NULL, 'nor unschedule');
SELECT throws_ok($$SELECT * FROM pgflow.schedules$$, '42501', NULL, 'nor read the table');
RESET ROLE;
SET ROLE pgflow_test_sched_reader;
SELECT throws_ok($$SELECT * FROM pgflow.tick()$$, '42501', NULL, 'a reader cannot tick');
SELECT is((SELECT next_slot FROM pgflow.cron_slots('0 3 * * *', '2026-01-01Z')), '2026-01-01 03:00Z'::timestamptz,
  'but may compute slots');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
