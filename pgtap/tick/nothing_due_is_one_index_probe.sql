BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
INSERT INTO pgflow.schedules (schedule_name, flow_slug, cron, next_slot)
SELECT 's' || i, 'f', '0 3 * * *', now() + i * interval '1 minute' FROM generate_series(1, 5000) AS i;
ANALYZE pgflow.schedules;
CREATE FUNCTION pg_temp.plan_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_line text;
  v_plan text := '';
BEGIN
  FOR v_line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || statement LOOP
    v_plan := v_plan || v_line || E'\n';
  END LOOP;
  RETURN v_plan;
END $$;
SELECT is_empty($$SELECT * FROM pgflow.tick(at => now())$$, 'nothing due among 5000 schedules: nothing started');
-- tick's one query, as it runs it.
CREATE TEMP TABLE p AS SELECT pg_temp.plan_of($q$SELECT s.* FROM pgflow.schedules AS s WHERE s.next_slot <= now()
                                                ORDER BY s.next_slot, s.schedule_name FOR UPDATE SKIP LOCKED$q$) AS plan;
SELECT matches((SELECT plan FROM p), 'Index Scan using schedules_next_slot_idx', 'it probes schedules_next_slot_idx');
SELECT doesnt_match((SELECT plan FROM p), 'Seq Scan', 'and reads no other schedule');
SELECT * FROM finish();
ROLLBACK;
