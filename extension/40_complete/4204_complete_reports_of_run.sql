-- complete_tasks' reports of one run (a JSON array of complete_tasks' report
-- objects), with complete_task's treatment each; returns the tasks in the
-- reports' order. Order within the run: first the fan-out reports in (step,
-- shard, task) order, which lock counter shards and task rows only; then the run
-- row, once; then what needs it: refused outputs, outgrown aggregates, fan-out
-- steps whose shards a report emptied, and the plain reports.
-- run_locked false: the run row is taken NOWAIT after the fan-out reports, and a
-- busy one raises lock_not_available, for complete_tasks to roll this back and
-- call again with run_locked true: the run row first, then the rest.
CREATE OR REPLACE FUNCTION pgflow._complete_reports_of_run(run_id uuid, reports jsonb, run_locked boolean)
RETURNS pgflow.step_tasks[]
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
  v_report record;
  v_outcome text;
  v_fan_outs boolean[];
  v_refused int[] := '{}'::int[];
  v_emptied text[] := '{}'::text[];
  v_outgrown text[] := '{}'::text[];
  v_results pgflow.step_tasks[] := '{}'::pgflow.step_tasks[];
BEGIN
  SELECT array_agg(coalesce(pgflow._is_fan_out_task(_complete_reports_of_run.run_id, x.e ->> 'step_slug',
                                                    coalesce((x.e ->> 'task_index')::int, 0)), false) ORDER BY x.i)
    INTO v_fan_outs FROM jsonb_array_elements(reports) WITH ORDINALITY AS x(e, i);
  IF run_locked THEN
    v_run := pgflow._lock_run(run_id, reports -> 0 ->> 'step_slug', coalesce((reports -> 0 ->> 'task_index')::int, 0));
  ELSE
    SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = _complete_reports_of_run.run_id;
  END IF;

  FOR v_report IN
    SELECT x.i::int AS i, x.e ->> 'step_slug' AS step_slug, x.e -> 'output' AS output,
           coalesce((x.e ->> 'task_index')::int, 0) AS task_index, (x.e ->> 'attempt')::int AS attempt,
           (x.e ->> 'lease_token')::uuid AS lease_token
      FROM jsonb_array_elements(reports) WITH ORDINALITY AS x(e, i)
     WHERE v_fan_outs[x.i]
     ORDER BY x.e ->> 'step_slug', coalesce((x.e ->> 'task_index')::int, 0) % pgflow._fan_out_shards(),
              coalesce((x.e ->> 'task_index')::int, 0), x.i
  LOOP
    v_outcome := pgflow._store_fan_out_report(v_run, v_report.step_slug, v_report.output, v_report.task_index,
                                              v_report.attempt, v_report.lease_token);
    IF v_outcome = 'too_large' THEN
      v_refused := v_refused || v_report.i;
    ELSIF v_outcome = 'emptied' AND NOT v_report.step_slug = ANY (v_emptied) THEN
      v_emptied := v_emptied || v_report.step_slug;
    ELSIF v_outcome = 'over_aggregate' AND NOT v_report.step_slug = ANY (v_outgrown) THEN
      v_outgrown := v_outgrown || v_report.step_slug;
    END IF;
  END LOOP;
  IF cardinality(v_refused) + cardinality(v_emptied) + cardinality(v_outgrown) = 0
     AND (SELECT bool_and(f) FROM unnest(v_fan_outs) AS f) THEN
    -- Every report was a fan-out one that stored or was ignored: the run lock is not needed.
    FOR v_position IN 1 .. cardinality(v_fan_outs) LOOP
      v_results[v_position] := pgflow._task(run_id, reports -> (v_position - 1) ->> 'step_slug',
                                            coalesce((reports -> (v_position - 1) ->> 'task_index')::int, 0));
    END LOOP;
    RETURN v_results;
  END IF;

  IF NOT run_locked THEN
    v_run := pgflow._lock_run(run_id, reports -> 0 ->> 'step_slug', coalesce((reports -> 0 ->> 'task_index')::int, 0),
                              nowait => true);
  END IF;
  FOR v_report IN
    SELECT x.i::int AS i, x.e ->> 'step_slug' AS step_slug, x.e -> 'output' AS output,
           coalesce((x.e ->> 'task_index')::int, 0) AS task_index
      FROM jsonb_array_elements(reports) WITH ORDINALITY AS x(e, i)
     WHERE x.i = ANY (v_refused) ORDER BY x.i
  LOOP
    v_results[v_report.i] := pgflow._refuse_output(
      v_run, pgflow._task(run_id, v_report.step_slug, v_report.task_index), v_report.output);
  END LOOP;
  FOR v_position IN 1 .. cardinality(v_outgrown) LOOP
    PERFORM pgflow._refuse_aggregate(pgflow._lock_run(run_id, NULL, NULL), v_outgrown[v_position]);
  END LOOP;
  FOR v_position IN 1 .. cardinality(v_emptied) LOOP
    -- Re-locking re-reads the run, which an earlier step of this batch may have changed.
    PERFORM pgflow._finish_fan_out_step(pgflow._lock_run(run_id, NULL, NULL), v_emptied[v_position]);
  END LOOP;
  FOR v_report IN
    SELECT x.i::int AS i, x.e ->> 'step_slug' AS step_slug, x.e -> 'output' AS output,
           coalesce((x.e ->> 'task_index')::int, 0) AS task_index, (x.e ->> 'attempt')::int AS attempt,
           (x.e ->> 'lease_token')::uuid AS lease_token
      FROM jsonb_array_elements(reports) WITH ORDINALITY AS x(e, i)
     ORDER BY x.i
  LOOP
    IF v_fan_outs[v_report.i] THEN
      IF NOT v_report.i = ANY (v_refused) THEN
        v_results[v_report.i] := pgflow._task(run_id, v_report.step_slug, v_report.task_index);
      END IF;
    ELSE
      v_results[v_report.i] := pgflow._complete_task(
        pgflow._lock_run(run_id, v_report.step_slug, v_report.task_index),
        v_report.step_slug, v_report.output, v_report.task_index, v_report.attempt, v_report.lease_token);
    END IF;
  END LOOP;
  RETURN v_results;
END;
$$;
