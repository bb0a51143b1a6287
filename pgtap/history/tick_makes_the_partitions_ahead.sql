-- pgtap: plain layout only
BEGIN;
SELECT plan(3);
SELECT pgflow.partition_history(partition_interval => '1 day', premake => 2);
CREATE TEMP TABLE ahead AS
  SELECT 'pgflow.runs_p' || to_char(pgflow._history_set_start(now() + interval '7 days', '1 day') AT TIME ZONE 'UTC',
                                    'YYYYMMDD') || 't0000' AS name;
SELECT ok(to_regclass(name) IS NULL, 'no set a week ahead yet') FROM ahead;
SELECT count(*) FROM pgflow.tick(at => now() + interval '5 days');
SELECT ok(to_regclass(name) IS NOT NULL, 'a tick five days ahead makes the sets up to two days after that') FROM ahead;
SELECT is((SELECT count(*)::int FROM pg_inherits AS i WHERE i.inhparent = 'pgflow.signals'::regclass), 7,
  'for every table: today to 2 days ahead, 5 to 7 days ahead, and the DEFAULT partition');
SELECT * FROM finish();
ROLLBACK;
