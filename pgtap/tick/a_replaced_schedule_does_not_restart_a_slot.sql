BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *');
CREATE TEMP TABLE first AS SELECT * FROM pgflow.tick(at => now() + interval '1 day');
-- A new cron whose slots include the one just started.
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 */3 * * *');
SELECT cmp_ok((SELECT next_slot FROM pgflow.schedules), '>', (SELECT scheduled_for FROM first),
  'the new cron starts after the last slot handled');
SELECT pgflow.unschedule(schedule_name => 'f');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *');
UPDATE pgflow.schedules SET next_slot = (SELECT scheduled_for FROM first);  -- as if made just before that slot
SELECT is_empty($$SELECT * FROM pgflow.tick(at => now() + interval '1 day')$$,
  'a schedule made again under the same name does not start a slot that has a run');
SELECT cmp_ok((SELECT next_slot FROM pgflow.schedules), '>', (SELECT scheduled_for FROM first), 'it moves past it');
SELECT * FROM finish();
ROLLBACK;
