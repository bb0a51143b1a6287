BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "report", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'report', cron => '0 3 * * *', schedule_name => 'report_daily');
SELECT pgflow.schedule(flow_slug => 'report', cron => '0 4 1 * *', input => '{"monthly": true}', schedule_name => 'report_monthly');
SELECT results_eq($$SELECT schedule_name, cron FROM pgflow.schedules ORDER BY 1$$,
  $$VALUES ('report_daily', '0 3 * * *'), ('report_monthly', '0 4 1 * *')$$, 'two schedules of one flow');
SELECT is((SELECT count(*)::int FROM pgflow.tick(now() + interval '40 days')), 2, 'each starts its own runs');
SELECT is((SELECT schedule_name FROM pgflow.schedule(flow_slug => 'report', cron => '0 5 * * *', schedule_name => 'report-late')),
  'report-late', 'names may have hyphens, as pg_cron job names often do');
SELECT * FROM finish();
ROLLBACK;
