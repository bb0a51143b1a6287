BEGIN;
SELECT plan(3);
SELECT is(pgflow.unschedule(schedule_name => 'nothing_here'), false, 'false for a name never scheduled');
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *');
SELECT is(pgflow.unschedule(schedule_name => 'f'), true, 'true the first time');
SELECT is(pgflow.unschedule(schedule_name => 'f'), false, 'false the second time');
SELECT * FROM finish();
ROLLBACK;
