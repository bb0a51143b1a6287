-- Batch form of complete_task for workers that finish several tasks at once:
--   [{"run_id": ..., "step_slug": ..., "output": ..., "task_index": 0, "attempt": 1,
--     "lease_token": ...}, ...]
-- (keys as _check_report allows them; a malformed or misspelt report is refused)
-- One transaction and one round trip instead of one per task; each report gets
-- exactly complete_task's treatment, and a row per report comes back in order.
-- Runs are taken in run_id order (a child run after its parent, by the path of
-- run_ids from its top-level run), so that batches cannot deadlock with each
-- other, with single reports, or with a parent cancelling its children; each run's reports go through _complete_reports_of_run
-- in a subtransaction that does not wait for the run lock while it holds task
-- rows: if the run is busy it is rolled back and done again with the run lock
-- taken first (lock order: 0000_tables.sql).
CREATE OR REPLACE FUNCTION pgflow.complete_tasks(tasks jsonb)
RETURNS SETOF pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_run_id uuid;
  v_reports jsonb;
  v_section pgflow.step_tasks[];
  v_positions int[];
  v_results pgflow.step_tasks[] := '{}'::pgflow.step_tasks[];
  v_element jsonb;
  v_number bigint;
BEGIN
  IF jsonb_typeof(tasks) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'tasks must be a JSON array of reports, got %', coalesce(jsonb_typeof(tasks), 'null')
      USING ERRCODE = '22023',
            HINT = '[{"run_id": "...", "step_slug": "a", "output": {...}, "task_index": 0, "attempt": 1, "lease_token": "..."}]';
  END IF;
  -- Every report is checked before any is applied, so a bad one changes nothing.
  FOR v_element, v_number IN SELECT x.e, x.i FROM jsonb_array_elements(tasks) WITH ORDINALITY AS x(e, i) LOOP
    PERFORM pgflow._check_report(v_element, format('report #%s of tasks', v_number));
  END LOOP;
  PERFORM pgflow._check_flow_grant(d.run_id)
     FROM (SELECT DISTINCT (x.e ->> 'run_id')::uuid AS run_id FROM jsonb_array_elements(tasks) AS x(e)) AS d;
  FOR v_run_id, v_reports, v_positions IN
    SELECT g.run_id, g.reports, g.positions
      FROM (SELECT (x.e ->> 'run_id')::uuid AS run_id, jsonb_agg(x.e ORDER BY x.i) AS reports,
                   array_agg(x.i::int ORDER BY x.i) AS positions
              FROM jsonb_array_elements(tasks) WITH ORDINALITY AS x(e, i)
             GROUP BY 1) AS g
     -- By the run's path from its top-level run (its own run_id for most runs):
     -- a parent before its children, as a parent's writers lock them.
     ORDER BY (WITH RECURSIVE up(run_id, parent_run_id, depth) AS (
                 SELECT r.run_id, r.parent_run_id, 0 FROM pgflow.runs AS r WHERE r.run_id = g.run_id
                 UNION ALL
                 SELECT p.run_id, p.parent_run_id, u.depth + 1
                   FROM up AS u JOIN pgflow.runs AS p ON p.run_id = u.parent_run_id
                  WHERE u.depth < 64)
               SELECT array_agg(u.run_id ORDER BY u.depth DESC) FROM up AS u), g.run_id
  LOOP
    BEGIN
      v_section := pgflow._complete_reports_of_run(v_run_id, v_reports, false);
    EXCEPTION WHEN lock_not_available THEN
      v_section := pgflow._complete_reports_of_run(v_run_id, v_reports, true);
    END;
    FOR v_position IN 1 .. cardinality(v_positions) LOOP
      v_results[v_positions[v_position]] := v_section[v_position];
    END LOOP;
  END LOOP;
  FOR v_position IN 1 .. coalesce(cardinality(v_results), 0) LOOP
    RETURN NEXT v_results[v_position];
  END LOOP;
END;
$$;
