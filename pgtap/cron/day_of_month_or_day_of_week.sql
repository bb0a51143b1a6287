BEGIN;
SELECT plan(3);
-- Vixie cron: both day fields restricted -> either matches. 2026-11-13 is a Friday.
SELECT results_eq($$SELECT latest_slot, next_slot FROM pgflow.cron_slots('0 0 13 * 5', '2026-11-14Z')$$,
  $$VALUES ('2026-11-13 00:00Z'::timestamptz, '2026-11-20 00:00Z'::timestamptz)$$,
  'the 13th or a Friday: the next Friday comes before the next 13th');
SELECT is((SELECT next_slot FROM pgflow.cron_slots('0 0 1 * mon', '2026-11-24Z')), '2026-11-30 00:00Z'::timestamptz,
  'the 1st or a Monday: Monday 30th comes first');
-- One field starting with *: both must match (*/2 = odd days, and Mondays).
SELECT is((SELECT next_slot FROM pgflow.cron_slots('0 0 */2 * mon', '2026-11-24Z')), '2026-12-07 00:00Z'::timestamptz,
  'an odd day that is also a Monday when the day-of-month field starts with *');
SELECT * FROM finish();
ROLLBACK;
