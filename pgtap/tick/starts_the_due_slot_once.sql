BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *', input => '{"report": "daily"}');
CREATE TEMP TABLE slot AS SELECT next_slot FROM pgflow.schedules;
CREATE TEMP TABLE first AS SELECT * FROM pgflow.tick(at => (SELECT next_slot FROM slot) + interval '10 seconds');
SELECT is((SELECT count(*)::int FROM first), 1, 'the due slot starts one run');
SELECT results_eq($$SELECT flow_slug, status, input, schedule_name, scheduled_for FROM first$$,
  $$SELECT 'f', 'started', '{"report": "daily"}'::jsonb, 'f', next_slot FROM slot$$,
  'a run of the flow with the schedule''s input, recording the schedule and the slot');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE run_id = (SELECT run_id FROM first)), 1, 'its root task is queued');
SELECT is_empty($$SELECT * FROM pgflow.tick(at => (SELECT next_slot FROM slot) + interval '20 seconds')$$,
  'a second tick of the same slot starts nothing');
SELECT is((SELECT last_run_id FROM pgflow.schedules), (SELECT run_id FROM first), 'the schedule remembers its last run');
SELECT is((SELECT next_slot FROM pgflow.schedules), (SELECT next_slot FROM slot) + interval '1 day', 'and moves on to the next slot');
SELECT * FROM finish();
ROLLBACK;
