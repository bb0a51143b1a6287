BEGIN;
SELECT plan(6);
-- Europe/Berlin 2026-10-25: 03:00 CEST -> 02:00 CET; 02:00-02:59 happen twice.
-- The slot runs once, at its first occurrence (CEST), as cron does.
SELECT is((SELECT next_slot FROM pgflow.cron_slots('30 2 * * *', '2026-10-25 00:00Z', 'Europe/Berlin')),
  '2026-10-25 02:30+02'::timestamptz, 'Berlin: 02:30 runs in the first pass of the hour');
SELECT results_eq($$SELECT latest_slot, next_slot FROM pgflow.cron_slots('30 2 * * *', '2026-10-25 01:45Z', 'Europe/Berlin')$$,
  $$VALUES ('2026-10-25 02:30+02'::timestamptz, '2026-10-26 02:30+01'::timestamptz)$$,
  'during the second pass the slot is behind, the next one is tomorrow');
SELECT is((SELECT latest_slot FROM pgflow.cron_slots('*/10 2 * * *', '2026-10-25 01:40Z', 'Europe/Berlin')),
  '2026-10-25 02:50+02'::timestamptz, 'in the second pass, the latest slot is the last of the first pass');
SELECT is((SELECT count(*)::int FROM generate_series('2026-10-24 20:00Z'::timestamptz, '2026-10-25 06:00Z', interval '1 minute') AS t
            WHERE (SELECT latest_slot FROM pgflow.cron_slots('30 2 * * *', t, 'Europe/Berlin')) > t - interval '1 minute'),
  1, 'minute by minute through the night, 02:30 comes once');
-- America/New_York 2026-11-01: 02:00 EDT -> 01:00 EST.
SELECT is((SELECT next_slot FROM pgflow.cron_slots('30 1 * * *', '2026-11-01 04:00Z', 'America/New_York')),
  '2026-11-01 01:30-04'::timestamptz, 'New York: 01:30 runs in daylight time');
SELECT is((SELECT next_slot FROM pgflow.cron_slots('30 1 * * *', '2026-11-01 06:00Z', 'America/New_York')),
  '2026-11-02 01:30-05'::timestamptz, 'and not again an hour later');
SELECT * FROM finish();
ROLLBACK;
