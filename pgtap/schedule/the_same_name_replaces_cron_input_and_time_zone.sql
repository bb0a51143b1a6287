BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *', input => '{"v": 1}', schedule_name => 'daily');
CREATE TEMP TABLE s AS SELECT * FROM pgflow.schedule(flow_slug => 'f', cron => '0 9 * * mon', input => '{"v": 2}',
                                                     schedule_name => 'daily', time_zone => 'Europe/Berlin');
SELECT results_eq($$SELECT schedule_name, cron, input, time_zone FROM pgflow.schedules$$,
  $$VALUES ('daily', '0 9 * * mon', '{"v": 2}'::jsonb, 'Europe/Berlin')$$, 'one schedule, with the new cron, input and zone');
SELECT is((SELECT next_slot FROM s), (SELECT next_slot FROM pgflow.cron_slots('0 9 * * mon', now(), 'Europe/Berlin')),
  'its next slot follows the new cron in the new zone');
-- Same cron and zone again: the next slot stays (a deploy must not skip a due slot).
UPDATE pgflow.schedules SET next_slot = now() - interval '1 minute';
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 9 * * mon', input => '{"v": 3}', schedule_name => 'daily', time_zone => 'Europe/Berlin');
SELECT is((SELECT next_slot FROM pgflow.schedules), now() - interval '1 minute', 'an unchanged cron keeps a slot that is due');
SELECT is((SELECT input FROM pgflow.schedules), '{"v": 3}'::jsonb, 'while the input is replaced');
SELECT * FROM finish();
ROLLBACK;
