BEGIN;
SELECT plan(4);
SELECT results_eq($$SELECT latest_slot, next_slot FROM pgflow.cron_slots('0 3 * * *', '2026-06-10 03:00Z')$$,
  $$VALUES ('2026-06-10 03:00Z'::timestamptz, '2026-06-11 03:00Z'::timestamptz)$$,
  'at a slot: that slot is the latest, the next is the one after');
SELECT results_eq($$SELECT latest_slot, next_slot FROM pgflow.cron_slots('0 3 * * *', '2026-06-10 02:59:59.999Z')$$,
  $$VALUES ('2026-06-09 03:00Z'::timestamptz, '2026-06-10 03:00Z'::timestamptz)$$, 'just before a slot');
SELECT results_eq($$SELECT latest_slot, next_slot FROM pgflow.cron_slots('0 0 1 1 *', '2026-12-31 23:59Z')$$,
  $$VALUES ('2026-01-01 00:00Z'::timestamptz, '2027-01-01 00:00Z'::timestamptz)$$, 'across a year end');
SELECT results_eq($$SELECT latest_slot, next_slot FROM pgflow.cron_slots('@hourly', '2026-06-10 12:30Z')$$,
  $$VALUES ('2026-06-10 12:00Z'::timestamptz, '2026-06-10 13:00Z'::timestamptz)$$, '@hourly is 0 * * * *');
SELECT * FROM finish();
ROLLBACK;
