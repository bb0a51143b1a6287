BEGIN;
SELECT plan(4);
SELECT results_eq($$SELECT latest_slot, next_slot FROM pgflow.cron_slots('0 0 29 2 *', '2026-12-02Z')$$,
  $$VALUES ('2024-02-29 00:00Z'::timestamptz, '2028-02-29 00:00Z'::timestamptz)$$, 'February 29 runs in leap years only');
SELECT results_eq($$SELECT latest_slot, next_slot FROM pgflow.cron_slots('0 0 29 2 *', '2097-01-01Z')$$,
  $$VALUES ('2096-02-29 00:00Z'::timestamptz, '2104-02-29 00:00Z'::timestamptz)$$, '2100 is not a leap year');
SELECT is((SELECT next_slot FROM pgflow.cron_slots('0 0 31 * *', '2026-04-01Z')), '2026-05-31 00:00Z'::timestamptz,
  'the 31st skips the months without one');
SELECT is((SELECT next_slot FROM pgflow.cron_slots('0 0 * * *', '2028-02-28 12:00Z')), '2028-02-29 00:00Z'::timestamptz,
  'every day includes February 29');
SELECT * FROM finish();
ROLLBACK;
