BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT results_eq($$SELECT * FROM pgflow.sync_schedules('f', '[{"cron": "0 3 * * *"}, {"schedule_name": "f_hourly", "cron": "0 * * * *"}]')$$,
  $$VALUES ('f', 'created'), ('f_hourly', 'created')$$, 'a first deploy creates them');
SELECT results_eq($$SELECT schedule_name, origin FROM pgflow.schedules ORDER BY 1$$, $$VALUES ('f', 'deploy'), ('f_hourly', 'deploy')$$,
  'marked as made by deploy');
SELECT results_eq($$SELECT * FROM pgflow.sync_schedules('f', '[{"cron": "0 3 * * *"}, {"schedule_name": "f_hourly", "cron": "0 * * * *"}]')$$,
  $$VALUES ('f', 'unchanged'), ('f_hourly', 'unchanged')$$, 'the same again changes nothing');
SELECT results_eq($$SELECT * FROM pgflow.sync_schedules('f', '[{"cron": "0 4 * * *", "input": {"x": 1}, "time_zone": "Europe/Berlin"}]')$$,
  $$VALUES ('f', 'updated'), ('f_hourly', 'removed')$$, 'a changed one is updated, one gone from the code removed');
SELECT results_eq($$SELECT schedule_name, cron, input, time_zone FROM pgflow.schedules$$,
  $$VALUES ('f', '0 4 * * *', '{"x": 1}'::jsonb, 'Europe/Berlin')$$, 'as the code says');
SELECT * FROM finish();
ROLLBACK;
