BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 * * * *');
-- Nobody ticked for ten hours: one run, for the latest slot.
CREATE TEMP TABLE started AS SELECT * FROM pgflow.tick(at => date_trunc('hour', now()) + interval '10 hours 5 minutes');
SELECT is((SELECT count(*)::int FROM started), 1, 'one run after a long gap');
SELECT is((SELECT scheduled_for FROM started), date_trunc('hour', now()) + interval '10 hours', 'for the latest slot');
SELECT is((SELECT next_slot FROM pgflow.schedules), date_trunc('hour', now()) + interval '11 hours', 'the next is the one after it');
SELECT * FROM finish();
ROLLBACK;
