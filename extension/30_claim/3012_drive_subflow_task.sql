-- A subflow task that came due (claim_tasks found it with its expired leases;
-- _expire_lease passes it here, its row locked): its next child is due (after
-- the step's delay or a retry's backoff, lease_token NULL), or its child ended
-- while the parent was busy and left its report (_report_to_parent). Under the
-- parent's run row, taken SKIP LOCKED, and with a 1 ms lock_timeout for what
-- follows (as _expire_lease does): when anything is busy, all of it is undone
-- and the task left for a later claim, so a claim never waits. A task whose
-- child still runs (someone moved its available_at, e.g. extend_lease) goes
-- back to waiting for the child's report. Returns 'busy' or 'decided' (an
-- outcome claim_tasks commits durably).
CREATE OR REPLACE FUNCTION pgflow._drive_subflow_task(task pgflow.step_tasks)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
  v_child pgflow.runs;
  v_lock_timeout text := current_setting('lock_timeout');
BEGIN
  SELECT r.* INTO v_run FROM pgflow.runs AS r
   WHERE r.run_id = task.run_id AND r.status = 'started' FOR NO KEY UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN 'busy';
  END IF;
  BEGIN
    PERFORM set_config('lock_timeout', '1ms', true);
    IF task.lease_token IS NULL THEN
      PERFORM pgflow._start_child(v_run, task);
    ELSE
      SELECT r.* INTO v_child FROM pgflow.runs AS r WHERE r.run_id = task.lease_token;
      IF FOUND AND v_child.status = 'started' THEN
        UPDATE pgflow.step_tasks AS t SET available_at = 'infinity'
         WHERE t.run_id = task.run_id AND t.step_slug = task.step_slug AND t.task_index = task.task_index;
      ELSIF FOUND THEN
        PERFORM pgflow._apply_child_outcome(v_run, v_child);
      ELSE
        PERFORM pgflow._fail_attempt(v_run, task,
          format('child run %s no longer exists', task.lease_token), 'SubflowFailed');
      END IF;
    END IF;
    PERFORM set_config('lock_timeout', v_lock_timeout, true);
  EXCEPTION WHEN lock_not_available THEN
    RETURN 'busy';
  END;
  RETURN 'decided';
END;
$$;
