-- A started task's lease expired without a report: that attempt is lost, and
-- fails like any attempt (_fail_attempt). With attempts left the task is queued
-- again at once, ahead of everything (available_at -infinity), so the calling
-- claim takes it in this transaction and nobody else ever sees it queued; that
-- changes the task row only, which the caller holds. On the last attempt the
-- task fails as timed out and its step's when_exhausted applies: that needs the
-- run row, taken SKIP LOCKED, and the rows its outcome changes, taken with a
-- 1 ms lock_timeout: when any is busy the lease is left for a later claim, so
-- claiming never waits (lock order: 0000_tables.sql). Rechecks
-- the task: a late completion may have won the race.
-- Called by claim_tasks, which holds the task row (SKIP LOCKED). Returns 'busy'
-- (left for later), 'requeued', or 'decided' (an outcome: the task failed for
-- good), which claim_tasks must commit durably.
-- A subflow task that came due is no lease: _drive_subflow_task handles it.
CREATE OR REPLACE FUNCTION pgflow._expire_lease(run_id uuid, step_slug text, task_index int, attempt int)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
  v_task pgflow.step_tasks;
  v_lock_timeout text;
BEGIN
  SELECT t.* INTO v_task FROM pgflow.step_tasks AS t
   WHERE t.run_id = _expire_lease.run_id AND t.step_slug = _expire_lease.step_slug
     AND t.task_index = _expire_lease.task_index AND t.status = 'started'
     AND t.attempt = _expire_lease.attempt AND t.available_at <= now()
     FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN 'busy';
  END IF;
  IF v_task.worker_id = pgflow._subflow_holder() THEN
    RETURN pgflow._drive_subflow_task(v_task);  -- no lease: a child to start, or a child's report
  END IF;
  IF NOT pgflow._attempts_used_up(v_task) THEN
    PERFORM pgflow._fail_attempt(NULL, v_task,
      format('lease expired at %s without a completion or failure; reclaimed', v_task.available_at),
      'LeaseExpired', NULL, retry_at => '-infinity');
    RETURN 'requeued';
  END IF;
  SELECT r.* INTO v_run FROM pgflow.runs AS r
   WHERE r.run_id = _expire_lease.run_id AND r.status = 'started' FOR NO KEY UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN 'busy';
  END IF;
  -- The outcome may cancel tasks and stop the run, which waits for rows others
  -- hold: with a 1 ms lock_timeout instead, and if anything is busy, all of it
  -- is undone and the lease left for a later claim.
  v_lock_timeout := current_setting('lock_timeout');
  BEGIN
    PERFORM set_config('lock_timeout', '1ms', true);
    PERFORM pgflow._fail_attempt(v_run, v_task,
      format('timed out: the lease of attempt %s expired at %s without a completion or failure',
             v_task.attempt, v_task.available_at), 'LeaseExpired');
    PERFORM set_config('lock_timeout', v_lock_timeout, true);
  EXCEPTION WHEN lock_not_available THEN
    RETURN 'busy';
  END;
  RETURN 'decided';
END;
$$;
