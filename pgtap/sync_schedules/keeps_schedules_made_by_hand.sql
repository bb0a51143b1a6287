BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '*/5 * * * *', schedule_name => 'by_hand');
SELECT results_eq($$SELECT * FROM pgflow.sync_schedules('f', '[]')$$, $$VALUES ('by_hand', 'kept')$$,
  'deploy does not remove a schedule made with pgflow.schedule');
SELECT is((SELECT cron FROM pgflow.schedules WHERE schedule_name = 'by_hand'), '*/5 * * * *', 'nor change it');
SELECT results_eq($$SELECT * FROM pgflow.sync_schedules('f', '[{"schedule_name": "by_hand", "cron": "0 * * * *"}]')$$,
  $$VALUES ('by_hand', 'updated')$$, 'code that declares the same name takes it over');
SELECT results_eq($$SELECT * FROM pgflow.sync_schedules('f', '[]')$$, $$VALUES ('by_hand', 'removed')$$,
  'and then removes it with the code');
SELECT * FROM finish();
ROLLBACK;
