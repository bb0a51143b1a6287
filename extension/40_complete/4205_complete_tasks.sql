-- Batch form of complete_task for workers that finish several tasks at once:
--   [{"run_id": ..., "step_slug": ..., "output": ..., "task_index": 0, "attempt": 1}, ...]
-- One transaction and one round trip instead of one per task; each report gets
-- exactly complete_task's treatment, and a row per report comes back in order.
-- Run rows are locked in run_id order, so two batches sharing runs cannot
-- deadlock with each other (single completions lock one run and are safe too).
CREATE FUNCTION pgflow.complete_tasks(tasks jsonb)
RETURNS SETOF pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_report record;
  v_results pgflow.step_tasks[] := '{}'::pgflow.step_tasks[];
BEGIN
  IF jsonb_typeof(tasks) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'tasks must be a JSON array of reports, got %', coalesce(jsonb_typeof(tasks), 'null')
      USING ERRCODE = '22023',
            HINT = '[{"run_id": "...", "step_slug": "a", "output": {...}, "task_index": 0, "attempt": 1}]';
  END IF;
  FOR v_report IN
    SELECT x.i, (x.e ->> 'run_id')::uuid AS run_id, x.e ->> 'step_slug' AS step_slug, x.e -> 'output' AS output,
           coalesce((x.e ->> 'task_index')::int, 0) AS task_index, (x.e ->> 'attempt')::int AS attempt
      FROM jsonb_array_elements(tasks) WITH ORDINALITY AS x(e, i)
     ORDER BY (x.e ->> 'run_id')::uuid, x.i
  LOOP
    -- Locking a run this transaction already holds is cheap; it also re-reads it,
    -- which the report before may have changed.
    v_results[v_report.i] := pgflow._complete_task(
      pgflow._lock_run(v_report.run_id, v_report.step_slug, v_report.task_index),
      v_report.step_slug, v_report.output, v_report.task_index, v_report.attempt);
  END LOOP;
  FOR v_position IN 1 .. coalesce(cardinality(v_results), 0) LOOP
    RETURN NEXT v_results[v_position];
  END LOOP;
END;
$$;
