-- Hands up to max_tasks claimable tasks to a worker, oldest first, each with a
-- lease of its step's timeout (read here, at claim time, and nowhere else).
-- Claimable: queued tasks whose available_at has passed (delays and retry
-- backoff), and started tasks whose lease expired (a new attempt, no backoff).
-- A lease that expired on the last attempt fails the task as timed out instead.
-- Never waits on a lock: tasks are picked with FOR UPDATE SKIP LOCKED and expired
-- leases are handled only when their run and task rows are free, so claimers
-- neither block each other nor the writers of a run.
CREATE FUNCTION pgflow.claim_tasks(worker_id text, max_tasks int DEFAULT 10, flow_slugs text[] DEFAULT NULL)
RETURNS TABLE (run_id uuid, flow_slug text, step_slug text, task_index int, attempt int, input jsonb,
               flow_version int, lease_expires_at timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_expired record;
BEGIN
  IF worker_id IS NULL OR worker_id = '' THEN
    RAISE EXCEPTION 'worker_id must be a non-empty text' USING ERRCODE = '22023',
      HINT = 'Identify the worker, e.g. host:pid, so step_tasks shows who ran what.';
  END IF;
  IF max_tasks IS NULL OR max_tasks < 1 THEN
    RAISE EXCEPTION 'max_tasks must be at least 1, got %', coalesce(max_tasks::text, 'null') USING ERRCODE = '22023';
  END IF;

  FOR v_expired IN
    SELECT t.run_id, t.step_slug, t.task_index, t.attempt,
           t.attempt >= coalesce(s.max_attempts, f.max_attempts) AS exhausted
      FROM pgflow.step_tasks AS t
      JOIN pgflow.steps AS s ON s.flow_slug = t.flow_slug AND s.flow_version = t.flow_version AND s.step_slug = t.step_slug
      JOIN pgflow.flows AS f ON f.flow_slug = t.flow_slug AND f.version = t.flow_version
     WHERE t.status = 'started' AND t.available_at <= now()
       AND (flow_slugs IS NULL OR t.flow_slug = ANY (flow_slugs))
     ORDER BY t.available_at
     LIMIT max_tasks
  LOOP
    IF v_expired.exhausted THEN
      PERFORM pgflow._time_out_task(v_expired.run_id, v_expired.step_slug, v_expired.task_index, v_expired.attempt);
    ELSE
      -- Back in the queue ahead of everything, so the claim below takes it in this
      -- transaction; nobody else ever sees it queued.
      UPDATE pgflow.step_tasks AS t SET status = 'queued', available_at = '-infinity'
       WHERE t.ctid = (SELECT x.ctid FROM pgflow.step_tasks AS x
                        WHERE x.run_id = v_expired.run_id AND x.step_slug = v_expired.step_slug
                          AND x.task_index = v_expired.task_index AND x.status = 'started'
                          AND x.attempt = v_expired.attempt AND x.available_at <= now()
                          FOR UPDATE SKIP LOCKED);
    END IF;
  END LOOP;

  RETURN QUERY
  WITH claimed AS (
    UPDATE pgflow.step_tasks AS t
       SET status = 'started', attempt = t.attempt + 1, worker_id = claim_tasks.worker_id,
           started_at = now(), available_at = now() + make_interval(secs => coalesce(s.timeout, f.timeout))
      FROM (SELECT c.run_id, c.step_slug, c.task_index FROM pgflow.step_tasks AS c
             WHERE c.status = 'queued' AND c.available_at <= now()
               AND (flow_slugs IS NULL OR c.flow_slug = ANY (flow_slugs))
             ORDER BY c.available_at
             LIMIT max_tasks
               FOR UPDATE SKIP LOCKED) AS pick,
           pgflow.steps AS s, pgflow.flows AS f
     WHERE t.run_id = pick.run_id AND t.step_slug = pick.step_slug AND t.task_index = pick.task_index
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
END;
$$;
