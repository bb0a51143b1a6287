BEGIN;
SELECT plan(2);
-- The search walks the expression's own months, days, hours and minutes, not
-- every minute: the rarest expressions answer in milliseconds.
CREATE TEMP TABLE t AS SELECT clock_timestamp() AS started;
SELECT is((SELECT next_slot FROM pgflow.cron_slots('59 23 29 2 *', '2097-01-01Z')), '2104-02-29 23:59Z'::timestamptz,
  'the next February 29 eight years away');
SELECT cmp_ok(extract(epoch FROM clock_timestamp() - (SELECT started FROM t)) * 1000, '<', 200::numeric,
  'found in well under 200 ms (a scan of every minute would take seconds)');
SELECT * FROM finish();
ROLLBACK;
