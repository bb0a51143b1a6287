-- Batch form of complete_task for workers that finish several tasks at once:
--   [{"run_id": ..., "step_slug": ..., "output": ..., "task_index": 0, "attempt": 1}, ...]
-- (keys as _check_report allows them; a malformed or misspelt report is refused)
-- One transaction and one round trip instead of one per task; each report gets
-- exactly complete_task's treatment, and a row per report comes back in order.
-- Lock order, so that batches cannot deadlock with each other or with single
-- reports: runs in run_id order; within a run, first the fan-out reports in
-- (step, shard, task) order, which lock task rows and counter shards only; then
-- the run row, once; then what needs it: refused outputs, fan-out steps whose
-- shards a report emptied, and the plain reports.
CREATE OR REPLACE FUNCTION pgflow.complete_tasks(tasks jsonb)
RETURNS SETOF pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_run_id uuid;
  v_report record;
  v_outcome text;
  v_run pgflow.runs;
  v_emptied text[];
  v_refused int[];
  v_results pgflow.step_tasks[] := '{}'::pgflow.step_tasks[];
  v_run_ids uuid[];
  v_step_slugs text[];
  v_outputs jsonb[];
  v_task_indexes int[];
  v_attempts int[];
  v_fan_outs boolean[];
  v_element jsonb;
  v_number bigint;
BEGIN
  IF jsonb_typeof(tasks) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'tasks must be a JSON array of reports, got %', coalesce(jsonb_typeof(tasks), 'null')
      USING ERRCODE = '22023',
            HINT = '[{"run_id": "...", "step_slug": "a", "output": {...}, "task_index": 0, "attempt": 1}]';
  END IF;
  -- Every report is checked before any is applied, so a bad one changes nothing.
  FOR v_element, v_number IN SELECT x.e, x.i FROM jsonb_array_elements(tasks) WITH ORDINALITY AS x(e, i) LOOP
    PERFORM pgflow._check_report(v_element, format('report #%s of tasks', v_number));
  END LOOP;
  SELECT array_agg((x.e ->> 'run_id')::uuid ORDER BY x.i), array_agg(x.e ->> 'step_slug' ORDER BY x.i),
         array_agg(x.e -> 'output' ORDER BY x.i), array_agg(coalesce((x.e ->> 'task_index')::int, 0) ORDER BY x.i),
         array_agg((x.e ->> 'attempt')::int ORDER BY x.i)
    INTO v_run_ids, v_step_slugs, v_outputs, v_task_indexes, v_attempts
    FROM jsonb_array_elements(tasks) WITH ORDINALITY AS x(e, i);
  SELECT array_agg(coalesce(pgflow._is_fan_out_task(u.run_id, u.step_slug, u.task_index), false) ORDER BY u.i)
    INTO v_fan_outs
    FROM unnest(v_run_ids, v_step_slugs, v_task_indexes) WITH ORDINALITY AS u(run_id, step_slug, task_index, i);
  PERFORM pgflow._check_flow_grant(d.run_id) FROM (SELECT DISTINCT u.run_id FROM unnest(v_run_ids) AS u(run_id)) AS d;

  FOR v_run_id IN SELECT DISTINCT p.run_id FROM unnest(v_run_ids, v_step_slugs, v_outputs, v_task_indexes, v_attempts, v_fan_outs)
           WITH ORDINALITY AS p(run_id, step_slug, output, task_index, attempt, fan_out, i) ORDER BY p.run_id LOOP
    v_emptied := '{}';
    v_refused := '{}';
    FOR v_report IN
      SELECT p.* FROM unnest(v_run_ids, v_step_slugs, v_outputs, v_task_indexes, v_attempts, v_fan_outs)
           WITH ORDINALITY AS p(run_id, step_slug, output, task_index, attempt, fan_out, i)
       WHERE p.run_id = v_run_id AND p.fan_out
       ORDER BY p.step_slug, p.task_index % 16, p.task_index, p.i
    LOOP
      v_outcome := pgflow._store_fan_out_report(v_report.run_id, v_report.step_slug, v_report.output,
                                                v_report.task_index, v_report.attempt);
      IF v_outcome = 'emptied' AND NOT v_report.step_slug = ANY (v_emptied) THEN
        v_emptied := v_emptied || v_report.step_slug;
      ELSIF v_outcome = 'too_large' THEN
        v_refused := v_refused || v_report.i::int;
      END IF;
    END LOOP;

    v_run := pgflow._lock_run(v_run_id, NULL, NULL);
    FOR v_report IN SELECT p.* FROM unnest(v_run_ids, v_step_slugs, v_outputs, v_task_indexes, v_attempts, v_fan_outs)
           WITH ORDINALITY AS p(run_id, step_slug, output, task_index, attempt, fan_out, i) WHERE p.i = ANY (v_refused) ORDER BY p.i LOOP
      v_results[v_report.i] := pgflow._refuse_output(
        v_run, pgflow._task(v_report.run_id, v_report.step_slug, v_report.task_index), v_report.output);
    END LOOP;
    FOR v_report IN SELECT DISTINCT p.step_slug FROM unnest(v_run_ids, v_step_slugs, v_outputs, v_task_indexes, v_attempts, v_fan_outs)
           WITH ORDINALITY AS p(run_id, step_slug, output, task_index, attempt, fan_out, i)
                     WHERE p.run_id = v_run_id AND p.step_slug = ANY (v_emptied) ORDER BY p.step_slug LOOP
      PERFORM pgflow._finish_fan_out_step(pgflow._lock_run(v_run_id, NULL, NULL), v_report.step_slug);
    END LOOP;
    FOR v_report IN
      SELECT p.* FROM unnest(v_run_ids, v_step_slugs, v_outputs, v_task_indexes, v_attempts, v_fan_outs)
           WITH ORDINALITY AS p(run_id, step_slug, output, task_index, attempt, fan_out, i) WHERE p.run_id = v_run_id ORDER BY p.i
    LOOP
      IF v_report.fan_out THEN
        IF NOT v_report.i::int = ANY (v_refused) THEN
          v_results[v_report.i] := pgflow._task(v_report.run_id, v_report.step_slug, v_report.task_index);
        END IF;
      ELSE
        -- Re-locking re-reads the run, which an earlier report may have changed.
        v_results[v_report.i] := pgflow._complete_task(
          pgflow._lock_run(v_report.run_id, v_report.step_slug, v_report.task_index),
          v_report.step_slug, v_report.output, v_report.task_index, v_report.attempt);
      END IF;
    END LOOP;
  END LOOP;
  FOR v_position IN 1 .. coalesce(cardinality(v_results), 0) LOOP
    RETURN NEXT v_results[v_position];
  END LOOP;
END;
$$;
