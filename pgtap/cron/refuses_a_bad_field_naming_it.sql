BEGIN;
SELECT plan(13);
SELECT throws_ok($$SELECT pgflow.cron_slots('61 * * * *')$$, '22023', 'minute field "61" is out of range 0-59', 'minute');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 24 * * *')$$, '22023', 'hour field "24" is out of range 0-23', 'hour');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 0 0 * *')$$, '22023', 'day of month field "0" is out of range 1-31', 'day of month');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 0 32 * *')$$, '22023', 'day of month field "32" is out of range 1-31', 'day of month, above');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 0 * 13 *')$$, '22023', 'month field "13" is out of range 1-12', 'month');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 0 * * 8')$$, '22023', 'day of week field "8" is out of range 0-7', 'day of week');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 0 * * 1-9')$$, '22023', 'day of week field "9" is out of range 0-7', 'a range bound');
SELECT throws_ok($$SELECT pgflow.cron_slots('*/0 * * * *')$$, '22023',
  'minute field "*/0" has step "0": a step is a whole number of at least 1', 'a zero step');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 10-5 * * *')$$, '22023',
  'hour field "10-5" is a range that runs backwards (10 > 5)', 'a backwards range');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 0 * foo *')$$, '22023', 'month field "foo" is not a number, a range a-b or *', 'a bad name');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 0 * * mon-')$$, '22023',
  'day of week field "mon-" is not a number, a range a-b or *', 'half a range');
SELECT throws_ok($$SELECT pgflow.cron_slots('1,,2 * * * *')$$, '22023', 'minute field "1,,2" has an empty list item', 'an empty item');
SELECT throws_ok($$SELECT pgflow.cron_slots('0 0 * jan mon/2/3')$$, '22023',
  'day of week field "mon/2/3" has more than one step', 'two steps');
SELECT * FROM finish();
ROLLBACK;
