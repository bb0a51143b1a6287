BEGIN;
SELECT plan(4);
-- 2026-12-06 is a Sunday.
SELECT is((SELECT next_slot FROM pgflow.cron_slots('0 12 * * 0', '2026-12-02Z')), '2026-12-06 12:00Z'::timestamptz, '0 is Sunday');
SELECT is((SELECT next_slot FROM pgflow.cron_slots('0 12 * * 7', '2026-12-02Z')), '2026-12-06 12:00Z'::timestamptz, '7 is Sunday too');
SELECT is((SELECT weekdays FROM pgflow._cron_parse('0 0 * * 5-7')), '{0,5,6}'::int[], 'a range up to 7 ends on Sunday');
SELECT is((SELECT next_slot FROM pgflow.cron_slots('0 12 * * sun', '2026-12-02Z')), '2026-12-06 12:00Z'::timestamptz, 'and so is sun');
SELECT * FROM finish();
ROLLBACK;
