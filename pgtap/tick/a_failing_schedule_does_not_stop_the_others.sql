BEGIN;
SELECT plan(4);
SET LOCAL client_min_messages = error;  -- the WARNING tick raises for the broken schedule
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *', input => '{"broken": true}', schedule_name => 'broken');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *', schedule_name => 'fine');
-- Something refuses the broken schedule's run (here: a constraint the test adds).
ALTER TABLE pgflow.runs ADD CONSTRAINT test_refuse_broken CHECK (NOT input ? 'broken');
SELECT results_eq($$SELECT schedule_name FROM pgflow.tick(at => now() + interval '1 day')$$, $$VALUES ('fine')$$,
  'the other schedule''s run starts');
SELECT matches((SELECT last_error FROM pgflow.schedules WHERE schedule_name = 'broken'),
  'could not start: .*test_refuse_broken', 'the broken one records why');
SELECT cmp_ok((SELECT next_slot FROM pgflow.schedules WHERE schedule_name = 'broken'), '>', now() + interval '1 day',
  'and moves on, so later ticks do not fail on it');
SELECT is_empty($$SELECT * FROM pgflow.tick(at => now() + interval '1 day')$$, 'the next tick has nothing due');
SELECT * FROM finish();
ROLLBACK;
