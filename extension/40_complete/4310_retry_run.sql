-- Re-drives a failed or cancelled run from where it broke. Completed and skipped
-- steps keep their state and outputs and do not run again. A fan-out step that
-- had completed some of its tasks keeps those and re-queues the others. Every
-- other unfinished step (failed, cancelled, never started) starts over with a
-- fresh attempt budget once its dependencies have settled. Attempt numbers keep
-- counting (attempts_before_retry), so a late report from before the retry is
-- recognised as stale (their lease_token is cleared too); earlier attempts stay
-- in task_attempts. A fan-out step whose tasks had all completed when the run
-- stopped completes at once, so the run can always end. Locks the run row, then
-- waits for the task rows it re-queues (a report in flight: lock order,
-- 0000_tables.sql); the run is started again when it returns.
-- Subflow steps: completed children are kept (a completed fan-out task keeps
-- its output), and every task to re-drive gets a new child run, with a fresh
-- attempt budget; the failed children stay as they ended, for the record.
-- A child run itself is not retried (it is one attempt of its parent's step):
-- retrying it raises, naming the parent to retry.
CREATE OR REPLACE FUNCTION pgflow.retry_run(run_id uuid)
RETURNS pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_ready text[];
  v_run pgflow.runs;
  v_partial text[];
BEGIN
  SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = retry_run.run_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'run % does not exist', coalesce(run_id::text, 'null') USING ERRCODE = 'P0002';
  END IF;
  PERFORM pgflow._durable_commit();
  IF v_run.parent_run_id IS NOT NULL THEN
    RAISE EXCEPTION 'run % is a child run (step "%" of run %): retry its parent instead', run_id,
      v_run.parent_step_slug, v_run.parent_run_id
      USING ERRCODE = '55000',
            DETAIL = 'A child run is one attempt of its parent''s subflow step; the parent''s retry starts a new child.',
            HINT = format('SELECT pgflow.retry_run(%L);', v_run.parent_run_id);
  END IF;
  IF v_run.status NOT IN ('failed', 'cancelled') THEN
    RAISE EXCEPTION 'run % is %: only failed or cancelled runs can be retried', run_id, v_run.status
      USING ERRCODE = '55000', HINT = 'Start a new run with pgflow.start_flow instead.';
  END IF;
  -- Shards and task rows held by a report in flight are waited for (their
  -- holders never wait for this run's lock); taken first, in the lock order, so
  -- what follows sees them settled.
  PERFORM 1 FROM pgflow.fan_out_shards AS f WHERE f.run_id = v_run.run_id ORDER BY f.step_slug, f.shard FOR UPDATE;
  PERFORM 1 FROM pgflow.step_tasks AS t WHERE t.run_id = v_run.run_id AND t.status <> 'completed' FOR UPDATE;

  SELECT coalesce(array_agg(ss.step_slug), '{}') INTO v_partial
    FROM pgflow.step_states AS ss
    JOIN pgflow.steps AS s ON s.flow_slug = v_run.flow_slug AND s.flow_version = v_run.flow_version
                          AND s.step_slug = ss.step_slug
   WHERE ss.run_id = v_run.run_id AND ss.status IN ('failed', 'cancelled') AND s.fan_out
     AND EXISTS (SELECT 1 FROM pgflow.step_tasks AS t
                  WHERE t.run_id = ss.run_id AND t.step_slug = ss.step_slug AND t.status = 'completed');
  UPDATE pgflow.step_tasks AS t
     SET status = 'queued', attempts_before_retry = t.attempt, available_at = now(), queued_at = now(),
         worker_id = NULL, error_message = NULL, started_at = NULL, finished_at = NULL, lease_token = NULL
   WHERE t.run_id = v_run.run_id AND t.step_slug = ANY (v_partial) AND t.status <> 'completed';
  UPDATE pgflow.step_states AS ss
     SET status = 'started', error_message = NULL, finished_at = NULL,
         remaining_tasks = (SELECT count(*) FROM pgflow.step_tasks AS t
                             WHERE t.run_id = ss.run_id AND t.step_slug = ss.step_slug AND t.status <> 'completed')
   WHERE ss.run_id = v_run.run_id AND ss.step_slug = ANY (v_partial);
  UPDATE pgflow.fan_out_shards AS f
     SET remaining = (SELECT count(*) FROM pgflow.step_tasks AS t
                       WHERE t.run_id = f.run_id AND t.step_slug = f.step_slug AND t.task_index % pgflow._fan_out_shards() = f.shard
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
  -- A fan-out subflow step's re-queued tasks get new children (its completed
  -- tasks keep theirs).
  FOR v_position IN 1 .. cardinality(v_partial) LOOP
    IF EXISTS (SELECT 1 FROM pgflow.steps AS s
                WHERE s.flow_slug = v_run.flow_slug AND s.flow_version = v_run.flow_version
                  AND s.step_slug = v_partial[v_position] AND s.subflow IS NOT NULL) THEN
      IF NOT pgflow._start_children(v_run, v_partial[v_position], 0) THEN
        SELECT r.* INTO STRICT v_run FROM pgflow.runs AS r WHERE r.run_id = retry_run.run_id;
        RETURN v_run;
      END IF;
      SELECT r.* INTO STRICT v_run FROM pgflow.runs AS r WHERE r.run_id = retry_run.run_id;
    END IF;
  END LOOP;
  -- A fan-out with nothing pending (its last completion came as the run stopped)
  -- completes now, or it would stay started with nothing to claim.
  FOR v_position IN 1 .. cardinality(v_partial) LOOP
    PERFORM pgflow._finish_fan_out_step(v_run, v_partial[v_position]);
    SELECT r.* INTO STRICT v_run FROM pgflow.runs AS r WHERE r.run_id = retry_run.run_id;
  END LOOP;
  -- The ready steps read first, not in the call's argument: on Citus a function
  -- called in a statement on a distributed table runs inside the shard's query,
  -- where it may not query.
  v_ready := ARRAY(SELECT ss.step_slug FROM pgflow.step_states AS ss
                    WHERE ss.run_id = v_run.run_id AND ss.status = 'created' AND ss.remaining_deps = 0);
  PERFORM pgflow._start_steps(v_run, v_ready);
  SELECT r.* INTO STRICT v_run FROM pgflow.runs AS r WHERE r.run_id = retry_run.run_id;
  RETURN v_run;
END;
$$;
