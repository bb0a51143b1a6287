BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.define_flow('{"slug": "g", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'g', cron => '0 3 * * *', schedule_name => 'nightly');
SELECT throws_ok($$SELECT * FROM pgflow.sync_schedules('f', '[{"schedule_name": "nightly", "cron": "0 3 * * *"}]')$$, '23505',
  'schedule "nightly" belongs to flow "g", not "f"', 'a name of another flow''s schedule');
SELECT throws_ok($$SELECT * FROM pgflow.sync_schedules('f', '[{"cron": "0 3 * * *"}, {"cron": "0 4 * * *"}]')$$, '22023',
  'flow "f" declares schedule "f" twice', 'a name twice');
SELECT throws_ok($$SELECT * FROM pgflow.sync_schedules('f', '[{"cron": "0 3 * * *"}, {"schedule_name": "b", "cron": "0 3 * * 9"}]')$$, '22023',
  'schedule "b" of flow "f": day of week field "9" is out of range 0-7', 'a bad cron');
SELECT throws_ok($$SELECT * FROM pgflow.sync_schedules('f', '[{"cron": "0 3 * * *", "timezone": "UTC"}]')$$, '22023',
  'a schedule of flow "f" has unknown keys: timezone', 'a misspelt key');
SELECT throws_ok($$SELECT * FROM pgflow.sync_schedules('nope', '[]')$$, 'P0002', 'cannot schedule flow "nope": it does not exist',
  'an unknown flow');
SELECT results_eq($$SELECT schedule_name, flow_slug FROM pgflow.schedules$$, $$VALUES ('nightly', 'g')$$, 'nothing changed');
SELECT * FROM finish();
ROLLBACK;
