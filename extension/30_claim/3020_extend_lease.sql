-- Heartbeat for a long task: its lease now ends `seconds` from now (default: the
-- step's timeout; at most 7 days). Returns the new expiry, or NULL (with a
-- NOTICE) when the caller no longer holds the task: it was reclaimed by another
-- attempt (another attempt number, or another lease_token when the caller
-- passes its own), it finished, or it was cancelled with its run. A worker
-- should stop working on it then. A cancel waits for a heartbeat in flight,
-- then cancels the task, so once a cancel committed every heartbeat of its run
-- returns NULL. Locks the task row only (lock order: 0000_tables.sql).
CREATE OR REPLACE FUNCTION pgflow.extend_lease(
  run_id uuid, step_slug text, task_index int DEFAULT 0, attempt int DEFAULT NULL, seconds int DEFAULT NULL,
  lease_token uuid DEFAULT NULL)
RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
  v_task pgflow.step_tasks;
  v_expires timestamptz;
BEGIN
  IF seconds < 1 OR seconds > 604800 THEN
    RAISE EXCEPTION 'seconds must be between 1 and 604800 (7 days), got %', seconds USING ERRCODE = '22023',
      HINT = 'Leave seconds out to renew the lease for the step''s full timeout.';
  END IF;
  PERFORM pgflow._check_flow_grant(run_id);
  SELECT t.* INTO v_task FROM pgflow.step_tasks AS t
   WHERE t.run_id = extend_lease.run_id AND t.step_slug = extend_lease.step_slug
     AND t.task_index = extend_lease.task_index
     FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM pgflow._raise_unknown_task(run_id, step_slug, task_index);
  END IF;
  IF v_task.worker_id = pgflow._subflow_holder() THEN
    -- Held by a child run, whose end settles it: it has no lease to extend.
    RAISE NOTICE 'pgflow: task % of step "%" in run % not extended: it is a subflow step''s task, held by its child run',
      task_index, step_slug, run_id;
    RETURN NULL;
  END IF;
  IF v_task.status <> 'started' OR attempt <> v_task.attempt THEN
    RAISE NOTICE 'pgflow: lease of task % of step "%" in run % not extended: attempt % is %',
      task_index, step_slug, run_id, v_task.attempt, v_task.status;
    RETURN NULL;
  END IF;
  IF extend_lease.lease_token IS NOT NULL AND extend_lease.lease_token IS DISTINCT FROM v_task.lease_token THEN
    RAISE NOTICE 'pgflow: lease of task % of step "%" in run % not extended: attempt % is held under another lease_token (the claim that gave yours was lost or replaced)',
      task_index, step_slug, run_id, v_task.attempt;
    RETURN NULL;
  END IF;
  -- The step's timeout read first, not in the UPDATE: on Citus a function in a
  -- statement on a distributed table runs inside the shard's query, where it may not query.
  IF seconds IS NULL THEN
    SELECT o.timeout INTO seconds FROM pgflow._step_options(v_task.flow_slug, v_task.flow_version, v_task.step_slug) AS o;
  END IF;
  UPDATE pgflow.step_tasks AS t
     SET available_at = now() + make_interval(secs => extend_lease.seconds)
   WHERE t.run_id = v_task.run_id AND t.step_slug = v_task.step_slug AND t.task_index = v_task.task_index
  RETURNING t.available_at INTO v_expires;
  RETURN v_expires;
END;
$$;
