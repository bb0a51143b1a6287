BEGIN;
SELECT plan(6);
SELECT throws_ok($$SELECT pgflow.cron_slots('* * * *')$$, '22023', 'cron expression "* * * *" has 4 fields, expected 5', 'four fields');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 0 * * * *')$$, '22023', 'cron expression "0 0 * * * *" has 6 fields, expected 5', 'six (no seconds)');
SELECT throws_ok($$SELECT pgflow.cron_slots('  ')$$, '22023', 'cron expression "  " has 0 fields, expected 5', 'blank');
SELECT throws_ok($$SELECT pgflow.cron_slots(NULL)$$, '22023', 'cron expression must not be null', 'null');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 0 30 2 *')$$, '22023', 'day of month field "30" never occurs in month field "2"',
  'an expression that never runs');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 0 * * *', now(), 'Mars/Olympus_Mons')$$, '22023', 'unknown time zone "Mars/Olympus_Mons"',
  'an unknown time zone');
SELECT * FROM finish();
ROLLBACK;
