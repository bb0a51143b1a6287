BEGIN;
SELECT plan(5);
-- Europe/Berlin 2026-03-29: 02:00 CET -> 03:00 CEST; 02:30 does not exist that day.
SELECT results_eq($$SELECT latest_slot, next_slot FROM pgflow.cron_slots('30 2 * * *', '2026-03-29 12:00Z', 'Europe/Berlin')$$,
  $$VALUES ('2026-03-28 02:30+01'::timestamptz, '2026-03-30 02:30+02'::timestamptz)$$,
  'Berlin: the day without 02:30 has no slot');
SELECT is((SELECT next_slot FROM pgflow.cron_slots('0 * * * *', '2026-03-29 00:30Z', 'Europe/Berlin')),
  '2026-03-29 03:00+02'::timestamptz, 'hourly: 01:00 CET is followed by 03:00 CEST');
-- America/New_York 2026-03-08: 02:00 EST -> 03:00 EDT.
SELECT results_eq($$SELECT latest_slot, next_slot FROM pgflow.cron_slots('30 2 * * *', '2026-03-08 12:00Z', 'America/New_York')$$,
  $$VALUES ('2026-03-07 02:30-05'::timestamptz, '2026-03-09 02:30-04'::timestamptz)$$,
  'New York: the day without 02:30 has no slot');
SELECT is((SELECT next_slot FROM pgflow.cron_slots('0 3 * * *', '2026-03-08 06:00Z', 'America/New_York')),
  '2026-03-08 03:00-04'::timestamptz, '03:00 exists that day, in daylight time');
SELECT is((SELECT next_slot FROM pgflow.cron_slots('0 9 * * *', '2026-03-28 12:00Z', 'Europe/Berlin')),
  '2026-03-29 07:00Z'::timestamptz, 'a 09:00 slot moves an hour earlier in UTC');
SELECT * FROM finish();
ROLLBACK;
