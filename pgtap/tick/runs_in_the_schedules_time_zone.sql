BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 9 * * *', time_zone => 'America/New_York');
CREATE TEMP TABLE started AS SELECT * FROM pgflow.tick(at => now() + interval '2 days');
SELECT is(((SELECT scheduled_for FROM started) AT TIME ZONE 'America/New_York')::time, '09:00'::time, '09:00 in New York');
SELECT is(((SELECT scheduled_for FROM started) AT TIME ZONE 'UTC')::time in ('13:00'::time, '14:00'::time), true,
  'which is 13:00 or 14:00 UTC');
SELECT * FROM finish();
ROLLBACK;
