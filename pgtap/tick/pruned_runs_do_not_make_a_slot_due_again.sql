BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": []}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *');
-- A flow without steps completes at once; prune its run.
CREATE TEMP TABLE first AS SELECT * FROM pgflow.tick(at => now() + interval '1 day');
UPDATE pgflow.runs SET finished_at = now() - interval '2 days', started_at = now() - interval '2 days';
SELECT cmp_ok(pgflow.prune(older_than => interval '1 day'), '>=', 1::bigint, 'the scheduled run is pruned');
SELECT is_empty($$SELECT * FROM pgflow.tick(at => now() + interval '1 day')$$, 'its slot does not start again');
SELECT * FROM finish();
ROLLBACK;
