-- pgtap: plain layout only
BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *');
CREATE TEMP TABLE first AS SELECT * FROM pgflow.tick(at => now() + interval '1 day');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-0000000000aa');
SELECT throws_ok($$UPDATE pgflow.runs SET schedule_name = 'f', scheduled_for = (SELECT scheduled_for FROM first)
                    WHERE run_id = '00000000-0000-0000-0000-0000000000aa'$$, '23505', NULL,
  'a second run of a slot is refused by runs_schedule_slot_idx');
SELECT throws_ok($$UPDATE pgflow.runs SET schedule_name = 'f' WHERE run_id = '00000000-0000-0000-0000-0000000000aa'$$, '23514', NULL,
  'a schedule name comes with its slot');
SELECT is((SELECT count(*)::int FROM pgflow.runs WHERE schedule_name IS NOT NULL), 1, 'one run of the slot');
SELECT * FROM finish();
ROLLBACK;
