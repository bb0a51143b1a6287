-- Shared gate of complete_task and fail_task: locks the task row and decides
-- whether this report counts. For a plain step the caller already holds the
-- run's row lock; a fan-out report passes the run as read without it (the lock
-- comes after, see _store_fan_out_report). The report counts when the task is
-- started and the attempt matches (NULL attempt means the current one).
-- Reports that are stale or late (another attempt holds it, it already
-- finished, or the run is no longer started) do not count and get a NOTICE.
-- Raises for unknown tasks and for tasks never started. Returns the task when
-- the report counts, NULL when it does not.
CREATE OR REPLACE FUNCTION pgflow._lock_task(
  run pgflow.runs, step_slug text, task_index int, attempt int, report text)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_task pgflow.step_tasks;
  v_what text := format('task %s of step "%s" in run %s', task_index, step_slug, run.run_id);
BEGIN
  SELECT t.* INTO v_task FROM pgflow.step_tasks AS t
   WHERE t.run_id = run.run_id AND t.step_slug = _lock_task.step_slug AND t.task_index = _lock_task.task_index
     FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM pgflow._raise_unknown_task(run.run_id, step_slug, task_index);
  END IF;
  -- Never claimed, an attempt that never existed, or nothing claimed since retry_run.
  IF v_task.status = 'queued' AND (v_task.attempt = 0 OR attempt > v_task.attempt
                                   OR (attempt IS NULL AND v_task.attempt = v_task.attempts_before_retry)) THEN
    RAISE EXCEPTION 'cannot record the % of %: the task is not started (status queued, % attempts so far)',
      report, v_what, v_task.attempt
      USING ERRCODE = '55000', HINT = 'Claim it with pgflow.claim_tasks first.';
  END IF;
  IF attempt IS NOT NULL AND attempt <> v_task.attempt THEN
    RAISE NOTICE 'pgflow: ignored the % of % from attempt %: attempt % holds it now (status %)',
      report, v_what, attempt, v_task.attempt, v_task.status;
    RETURN NULL;
  END IF;
  IF run.status <> 'started' THEN
    RAISE NOTICE 'pgflow: ignored the % of %: the run is %', report, v_what, run.status;
    RETURN NULL;
  END IF;
  IF v_task.status <> 'started' THEN
    RAISE NOTICE 'pgflow: ignored the % of % (attempt %): %', report, v_what, v_task.attempt,
      CASE WHEN v_task.status = 'queued' THEN 'that attempt already failed and the task waits for a retry'
           ELSE 'the task is already ' || v_task.status END;
    RETURN NULL;
  END IF;
  RETURN v_task;
END;
$$;
