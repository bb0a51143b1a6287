-- Hands up to max_tasks claimable tasks to a worker, oldest first, each with a
-- lease of its step's timeout (read here, at claim time, and nowhere else).
-- Claimable: queued tasks whose available_at has passed (delays and retry
-- backoff), and started tasks whose lease expired (a new attempt, no backoff).
-- A lease that expired on the last attempt fails the task as timed out instead.
-- Which tasks, under which limits, in which order is _pick_tasks' decision;
-- here they are handed out: started, leased, and counted in the limits they
-- were picked under (held_flow_key, held_step_key; released by
-- _release_limits when they leave started).
-- step_keys ('flow_slug/version/step_slug') restricts the claim to the steps a
-- worker's code serves, so runs of an old version only go to workers whose code
-- for those steps is unchanged (version routing).
-- A claim that is the only write of its transaction commits without waiting for
-- its WAL flush (synchronous_commit off, for that transaction only): losing it in
-- a crash just makes its tasks claimable again, as an expired lease would. A
-- transaction that wrote before claiming (say, complete_task then claim_tasks,
-- which is how a worker saves a round trip) keeps its durable commit.
-- Never waits on a row lock: tasks are picked with FOR UPDATE SKIP LOCKED, and an
-- expired lease is handled only when its task and run rows are free, so claimers
-- neither block each other nor the writers of a run.
CREATE OR REPLACE FUNCTION pgflow.claim_tasks(
  worker_id text, max_tasks int DEFAULT 10, flow_slugs text[] DEFAULT NULL, step_keys text[] DEFAULT NULL)
RETURNS TABLE (run_id uuid, flow_slug text, step_slug text, task_index int, attempt int, input jsonb,
               flow_version int, lease_expires_at timestamptz)
LANGUAGE plpgsql
-- The pick's plans have row estimates of a whole queue part (their LIMITs are
-- parameters), above jit_above_cost: compiling them took 15-600 ms per claim for
-- a few index probes. A claim is a handful of small statements: never JIT.
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
  v_expired record;
  v_claimed int;
  v_picked tid[];
  v_held_flow_keys text[];
  v_held_step_keys text[];
BEGIN
  IF worker_id IS NULL OR worker_id = '' THEN
    RAISE EXCEPTION 'worker_id must be a non-empty text' USING ERRCODE = '22023',
      HINT = 'Identify the worker, e.g. host:pid, so step_tasks shows who ran what.';
  END IF;
  IF max_tasks IS NULL OR max_tasks < 1 THEN
    RAISE EXCEPTION 'max_tasks must be at least 1, got %', coalesce(max_tasks::text, 'null') USING ERRCODE = '22023';
  END IF;

  IF pg_current_xact_id_if_assigned() IS NULL THEN
    PERFORM set_config('synchronous_commit', 'off', true);
  END IF;
  FOR v_expired IN
    SELECT t.run_id, t.step_slug, t.task_index, t.attempt,
           t.attempt - t.attempts_before_retry >= coalesce(s.max_attempts, f.max_attempts) AS exhausted,
           (SELECT r.status FROM pgflow.runs AS r WHERE r.run_id = t.run_id) AS run_status
      FROM pgflow.step_tasks AS t
      JOIN pgflow.steps AS s ON s.flow_slug = t.flow_slug AND s.flow_version = t.flow_version AND s.step_slug = t.step_slug
      JOIN pgflow.flows AS f ON f.flow_slug = t.flow_slug AND f.version = t.flow_version
     WHERE t.status = 'started' AND t.available_at <= now()
       AND (flow_slugs IS NULL OR t.flow_slug = ANY (flow_slugs))
       AND (step_keys IS NULL OR t.flow_slug || '/' || t.flow_version || '/' || t.step_slug = ANY (step_keys))
     ORDER BY t.available_at
     LIMIT max_tasks
       FOR UPDATE OF t SKIP LOCKED
  LOOP
    IF v_expired.run_status <> 'started' THEN
      -- Left started when its run stopped (its report was in flight): nothing to reclaim.
      UPDATE pgflow.step_tasks AS t SET status = 'cancelled', finished_at = now()
       WHERE t.run_id = v_expired.run_id AND t.step_slug = v_expired.step_slug
         AND t.task_index = v_expired.task_index;
    ELSIF v_expired.exhausted THEN
      PERFORM pgflow._time_out_task(v_expired.run_id, v_expired.step_slug, v_expired.task_index, v_expired.attempt);
    ELSE
      -- Back in the queue ahead of everything in its part of the claim index, so
      -- the pick below takes it in this transaction unless a limit of its step
      -- is busy. The lost attempt is kept.
      INSERT INTO pgflow.task_attempts (run_id, step_slug, task_index, attempt, worker_id, started_at,
                                        error_type, error_message)
      SELECT t.run_id, t.step_slug, t.task_index, t.attempt, t.worker_id, t.started_at, 'LeaseExpired',
             format('lease expired at %s without a completion or failure; reclaimed', t.available_at)
        FROM pgflow.step_tasks AS t
       WHERE t.run_id = v_expired.run_id AND t.step_slug = v_expired.step_slug
         AND t.task_index = v_expired.task_index;
      UPDATE pgflow.step_tasks AS t SET status = 'queued', available_at = '-infinity'
       WHERE t.run_id = v_expired.run_id AND t.step_slug = v_expired.step_slug
         AND t.task_index = v_expired.task_index;
    END IF;
  END LOOP;

  -- By row version (ctid), so the update is a TID scan of what was picked.
  SELECT array_agg(p.task), array_agg(p.held_flow_key), array_agg(p.held_step_key)
    INTO v_picked, v_held_flow_keys, v_held_step_keys
    FROM pgflow._pick_tasks(max_tasks, flow_slugs, step_keys) AS p;

  RETURN QUERY
  WITH claimed AS (
    UPDATE pgflow.step_tasks AS t
       SET status = 'started', attempt = t.attempt + 1, worker_id = claim_tasks.worker_id,
           started_at = now(), available_at = now() + make_interval(secs => coalesce(s.timeout, f.timeout)),
           held_flow_key = v_held_flow_keys[array_position(v_picked, t.ctid)],
           held_step_key = v_held_step_keys[array_position(v_picked, t.ctid)]
      FROM pgflow.steps AS s, pgflow.flows AS f
     WHERE t.ctid = ANY (v_picked)
       AND s.flow_slug = t.flow_slug AND s.flow_version = t.flow_version AND s.step_slug = t.step_slug
       AND f.flow_slug = t.flow_slug AND f.version = t.flow_version
    RETURNING t.run_id, t.flow_slug, t.step_slug, t.task_index, t.attempt, t.flow_version,
              t.available_at, t.item, s.fan_out)
  SELECT c.run_id, c.flow_slug, c.step_slug, c.task_index, c.attempt,
         CASE WHEN c.fan_out THEN jsonb_build_object('item', c.item, 'index', c.task_index)
              ELSE pgflow._step_input(c.run_id, c.flow_slug, c.flow_version, c.step_slug,
                                      (SELECT r.input FROM pgflow.runs AS r WHERE r.run_id = c.run_id)) END,
         c.flow_version, c.available_at
    FROM claimed AS c;
  GET DIAGNOSTICS v_claimed = ROW_COUNT;
  IF v_claimed < max_tasks THEN
    PERFORM pgflow._rearm_worker(worker_id);  -- it has room: wake it when work comes
  END IF;
END;
$$;
