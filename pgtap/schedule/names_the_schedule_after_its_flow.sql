BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "nightly", "steps": [{"slug": "a"}]}');
CREATE TEMP TABLE s AS SELECT * FROM pgflow.schedule(flow_slug => 'nightly', cron => '0 3 * * *');
SELECT is((SELECT schedule_name FROM s), 'nightly', 'the name defaults to the flow slug');
SELECT is((SELECT input FROM s), '{}'::jsonb, 'the input defaults to {}');
SELECT is((SELECT time_zone FROM s), 'UTC', 'the time zone defaults to UTC');
SELECT is((SELECT next_slot FROM s), (SELECT next_slot FROM pgflow.cron_slots('0 3 * * *', now())), 'its next slot is the first after now');
SELECT is((SELECT origin FROM s), 'sql', 'made by hand');
SELECT results_eq($$SELECT schedule_name, flow_slug, cron FROM pgflow.schedules$$, $$VALUES ('nightly', 'nightly', '0 3 * * *')$$,
  'stored in pgflow.schedules');
SELECT * FROM finish();
ROLLBACK;
