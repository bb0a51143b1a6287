BEGIN;
-- A login role that is a worker: tick's check reads the session's login role.
CREATE ROLE pgflow_test_early_worker LOGIN IN ROLE pgflow_worker;
CREATE ROLE pgflow_test_early_admin LOGIN IN ROLE pgflow_admin;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *');
SET SESSION AUTHORIZATION pgflow_test_early_worker;
SELECT throws_ok($$SELECT * FROM pgflow.tick(at => now() + interval '1 day')$$, '42501', NULL,
  'a worker cannot start tomorrow''s slot today');
SELECT lives_ok($$SELECT * FROM pgflow.tick()$$, 'it ticks up to now');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION pgflow_test_early_admin;
SELECT is((SELECT count(*)::int FROM pgflow.tick(at => now() + interval '1 day')), 1, 'an admin may');
RESET SESSION AUTHORIZATION;
SELECT * FROM finish();
ROLLBACK;
