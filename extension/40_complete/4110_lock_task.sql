-- Shared gate of every report (complete_task, complete_tasks, fail_task): locks
-- the task row and decides whether this report counts. The caller holds the
-- run's row lock, except a fan-out completion, which passes the run as read
-- without it (lock order: 0000_tables.sql). The report counts when the task is
-- started, the attempt matches (NULL: the current one) and so does the
-- lease_token (NULL: not checked; tasks leased under 0.1 have none), i.e. only
-- for the claim that made it. Every other report is ignored with a NOTICE: an
-- attempt another claim holds now, one that already ended, one that was never
-- recorded (a claim lost in a crash hands out its attempt number again, under
-- another lease_token), a run no longer started. The one report that raises is
-- one with no attempt for a task never claimed: a caller's mistake, not a race,
-- and one without lease_token for a subflow step's task (its child run's
-- report passes the child's run_id).
-- Raises for unknown tasks too. Returns the task when the report counts, NULL
-- when it does not.
CREATE OR REPLACE FUNCTION pgflow._lock_task(
  run pgflow.runs, step_slug text, task_index int, attempt int, report text, lease_token uuid DEFAULT NULL)
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
  IF _lock_task.lease_token IS NULL AND v_task.worker_id = pgflow._subflow_holder() THEN
    RAISE EXCEPTION 'cannot record the % of %: it is a subflow step''s task, settled by its child run', report, v_what
      USING ERRCODE = '55000', HINT = 'Complete, fail or cancel the child run instead (runs.parent_run_id names its parent).';
  END IF;
  IF v_task.status = 'queued' AND v_task.attempt = 0 AND attempt IS NULL AND _lock_task.lease_token IS NULL THEN
    RAISE EXCEPTION 'cannot record the % of %: the task was never claimed', report, v_what
      USING ERRCODE = '55000', HINT = 'Claim it with pgflow.claim_tasks first.';
  END IF;
  IF attempt > v_task.attempt THEN
    RAISE NOTICE 'pgflow: ignored the % of % from attempt %: no such attempt was recorded, the last is % (status %); its claim was lost, e.g. in a crash',
      report, v_what, attempt, v_task.attempt, v_task.status;
    RETURN NULL;
  END IF;
  IF attempt IS NOT NULL AND attempt <> v_task.attempt THEN
    RAISE NOTICE 'pgflow: ignored the % of % from attempt %: attempt % holds it now (status %)',
      report, v_what, attempt, v_task.attempt, v_task.status;
    RETURN NULL;
  END IF;
  IF _lock_task.lease_token IS NOT NULL AND _lock_task.lease_token IS DISTINCT FROM v_task.lease_token THEN
    RAISE NOTICE 'pgflow: ignored the % of % (attempt %, status %): it was made under another lease_token; the claim that gave it was lost or replaced',
      report, v_what, v_task.attempt, v_task.status;
    RETURN NULL;
  END IF;
  IF run.status <> 'started' THEN
    RAISE NOTICE 'pgflow: ignored the % of %: the run is %', report, v_what, run.status;
    RETURN NULL;
  END IF;
  IF v_task.status <> 'started' THEN
    RAISE NOTICE 'pgflow: ignored the % of % (attempt %): %', report, v_what, v_task.attempt,
      CASE WHEN v_task.status = 'queued' THEN 'that attempt ended and the task waits for its next claim'
           ELSE 'the task is already ' || v_task.status END;
    RETURN NULL;
  END IF;
  RETURN v_task;
END;
$$;
