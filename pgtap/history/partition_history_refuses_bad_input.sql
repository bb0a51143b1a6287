-- pgtap: plain layout only
BEGIN;
SELECT plan(6);
SELECT throws_ok($$SELECT pgflow.partition_history(partition_interval => '10 minutes')$$, '22023',
  'partition_interval must be between 1 hour and 366 days, in days, hours or minutes; got 00:10:00',
  'too short an interval');
SELECT throws_ok($$SELECT pgflow.partition_history(partition_interval => '1 month')$$, '22023',
  'partition_interval must be between 1 hour and 366 days, in days, hours or minutes; got 1 mon',
  'months vary in length');
SELECT throws_ok($$SELECT pgflow.partition_history(partition_interval => NULL)$$, '22023',
  'partition_interval must be between 1 hour and 366 days, in days, hours or minutes; got null', 'null interval');
SELECT throws_ok($$SELECT pgflow.partition_history(premake => 0)$$, '22023',
  'premake must be between 1 and 366 intervals, got 0', 'premake below 1');
CREATE ROLE pgflow_test_not_super LOGIN;
GRANT pgflow_admin TO pgflow_test_not_super;
SET SESSION AUTHORIZATION pgflow_test_not_super;
SELECT throws_ok($$SELECT pgflow.partition_history()$$, '42501', NULL, 'a non-superuser cannot call it');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT c.relkind::text FROM pg_class AS c WHERE c.oid = 'pgflow.runs'::regclass), 'r',
  'and nothing changed: runs is a plain table');
SELECT * FROM finish();
ROLLBACK;
