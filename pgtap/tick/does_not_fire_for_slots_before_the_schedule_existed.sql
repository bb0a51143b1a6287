BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '* * * * *');
SELECT is_empty($$SELECT * FROM pgflow.tick()$$, 'the current minute began before the schedule: no run');
SELECT is_empty($$SELECT * FROM pgflow.tick(at => now() - interval '1 day')$$, 'nor for a tick in the past');
SELECT is((SELECT scheduled_for FROM pgflow.tick(at => now() + interval '1 minute')), date_trunc('minute', now()) + interval '1 minute',
  'the first run is for the first slot after it was made');
SELECT * FROM finish();
ROLLBACK;
