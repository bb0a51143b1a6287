-- Re-drives a failed or cancelled run from where it broke. Completed and skipped
-- steps keep their state and outputs and do not run again. A fan-out step that
-- had completed some of its tasks keeps those and re-queues the others. Every
-- other unfinished step (failed, cancelled, never started) starts over with a
-- fresh attempt budget once its dependencies have settled. Attempt numbers keep
-- counting (attempts_before_retry), so a late report from before the retry is
-- recognised as stale; earlier attempts stay in task_attempts. Locks the run
-- row; the run is started again when it returns.
CREATE OR REPLACE FUNCTION pgflow.retry_run(run_id uuid)
RETURNS pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
  v_partial text[];
BEGIN
  SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = retry_run.run_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'run % does not exist', coalesce(run_id::text, 'null') USING ERRCODE = 'P0002';
  END IF;
  IF v_run.status NOT IN ('failed', 'cancelled') THEN
    RAISE EXCEPTION 'run % is %: only failed or cancelled runs can be retried', run_id, v_run.status
      USING ERRCODE = '55000', HINT = 'Start a new run with pgflow.start_flow instead.';
  END IF;
  -- A fan-out report may still hold a task row of this run while it waits for the
  -- run lock we hold: refuse rather than wait for it (and deadlock).
  BEGIN
    PERFORM 1 FROM pgflow.step_tasks AS t
     WHERE t.run_id = v_run.run_id AND t.status <> 'completed' FOR UPDATE NOWAIT;
  EXCEPTION WHEN lock_not_available THEN
    RAISE EXCEPTION 'run % has a task report in flight; retry it in a moment', run_id
      USING ERRCODE = '55P03', HINT = 'A worker is reporting on a task of this run right now.';
  END;

  SELECT coalesce(array_agg(ss.step_slug), '{}') INTO v_partial
    FROM pgflow.step_states AS ss
    JOIN pgflow.steps AS s ON s.flow_slug = v_run.flow_slug AND s.flow_version = v_run.flow_version
                          AND s.step_slug = ss.step_slug
   WHERE ss.run_id = v_run.run_id AND ss.status IN ('failed', 'cancelled') AND s.fan_out
     AND EXISTS (SELECT 1 FROM pgflow.step_tasks AS t
                  WHERE t.run_id = ss.run_id AND t.step_slug = ss.step_slug AND t.status = 'completed');
  UPDATE pgflow.step_tasks AS t
     SET status = 'queued', attempts_before_retry = t.attempt, available_at = now(), queued_at = now(),
         worker_id = NULL, error_message = NULL, started_at = NULL, finished_at = NULL
   WHERE t.run_id = v_run.run_id AND t.step_slug = ANY (v_partial) AND t.status <> 'completed';
  UPDATE pgflow.step_states AS ss
     SET status = 'started', error_message = NULL, finished_at = NULL,
         remaining_tasks = (SELECT count(*) FROM pgflow.step_tasks AS t
                             WHERE t.run_id = ss.run_id AND t.step_slug = ss.step_slug AND t.status <> 'completed')
   WHERE ss.run_id = v_run.run_id AND ss.step_slug = ANY (v_partial);
  UPDATE pgflow.fan_out_shards AS f
     SET remaining = (SELECT count(*) FROM pgflow.step_tasks AS t
                       WHERE t.run_id = f.run_id AND t.step_slug = f.step_slug AND t.task_index % 16 = f.shard
                         AND t.status <> 'completed')
   WHERE f.run_id = v_run.run_id AND f.step_slug = ANY (v_partial);

  -- Dependencies that are not completed or skipped now (reset above, in this
  -- statement's snapshot still failed or cancelled) are waited for again.
  UPDATE pgflow.step_states AS ss
     SET status = 'created', error_message = NULL, skip_reason = NULL, output = NULL,
         started_at = NULL, finished_at = NULL, remaining_tasks = NULL,
         remaining_deps = (SELECT count(*) FROM pgflow.deps AS d
                             JOIN pgflow.step_states AS dep ON dep.run_id = ss.run_id AND dep.step_slug = d.dep_slug
                            WHERE d.flow_slug = v_run.flow_slug AND d.flow_version = v_run.flow_version
                              AND d.step_slug = ss.step_slug AND dep.status NOT IN ('completed', 'skipped'))
   WHERE ss.run_id = v_run.run_id AND ss.status IN ('failed', 'cancelled', 'created');

  UPDATE pgflow.runs AS r
     SET status = 'started', error_message = NULL, output = NULL, finished_at = NULL,
         remaining_steps = (SELECT count(*) FROM pgflow.step_states AS ss
                             WHERE ss.run_id = r.run_id AND ss.status NOT IN ('completed', 'skipped'))
   WHERE r.run_id = v_run.run_id
  RETURNING * INTO v_run;
  IF cardinality(v_partial) > 0 THEN
    PERFORM pgflow._wake_workers(v_run.flow_slug);
  END IF;
  PERFORM pgflow._start_steps(v_run, ARRAY(
    SELECT ss.step_slug FROM pgflow.step_states AS ss
     WHERE ss.run_id = v_run.run_id AND ss.status = 'created' AND ss.remaining_deps = 0));
  SELECT r.* INTO STRICT v_run FROM pgflow.runs AS r WHERE r.run_id = retry_run.run_id;
  RETURN v_run;
END;
$$;
