BEGIN;
SELECT plan(10);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT throws_ok($$SELECT pgflow.schedule(flow_slug => 'nope', cron => '* * * * *')$$, 'P0002',
  'cannot schedule flow "nope": it does not exist', 'an unknown flow');
SELECT throws_ok($$SELECT pgflow.schedule(flow_slug => NULL, cron => '* * * * *')$$, '22023', NULL, 'a null flow');
SELECT throws_ok($$SELECT pgflow.schedule(flow_slug => 'f', cron => '* * * * *', schedule_name => 'two words')$$, '22023',
  'invalid schedule name "two words" for flow "f"', 'a bad name');
SELECT throws_ok($$SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *', schedule_name => '')$$, '22023',
  'invalid schedule name "" for flow "f"', 'an empty name');
SELECT throws_ok($$SELECT pgflow.schedule(flow_slug => 'f', cron => '61 * * * *')$$, '22023',
  'schedule "f" of flow "f": minute field "61" is out of range 0-59', 'a bad cron, naming the field');
SELECT throws_ok($$SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * *')$$, '22023',
  'schedule "f" of flow "f": cron expression "0 3 * *" has 4 fields, expected 5', 'a cron with four fields');
SELECT throws_ok($$SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *', time_zone => 'Europe/Atlantis')$$, '22023',
  'unknown time zone "Europe/Atlantis" of schedule "f"', 'an unknown time zone');
SELECT throws_ok($$SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *', schedule_name => repeat('n', 64))$$, '22023',
  NULL, 'a name longer than 63 characters');
SELECT throws_ok($$SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *', schedule_name => '-nightly')$$, '22023',
  'invalid schedule name "-nightly" for flow "f"', 'a name starting with a hyphen');
SELECT is_empty($$SELECT * FROM pgflow.schedules$$, 'nothing was scheduled');
SELECT * FROM finish();
ROLLBACK;
