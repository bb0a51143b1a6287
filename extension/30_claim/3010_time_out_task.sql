-- A lease expired on the task's last attempt: fail that attempt as timed out.
-- Called by claim_tasks without holding locks; takes the run then the task lock
-- like complete_task, but skips (leaving it for a later claim) when either is
-- busy, so claiming never waits. Rechecks everything under the locks: a late
-- completion may have won the race.
CREATE OR REPLACE FUNCTION pgflow._time_out_task(run_id uuid, step_slug text, task_index int, attempt int)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
  v_task pgflow.step_tasks;
BEGIN
  SELECT r.* INTO v_run FROM pgflow.runs AS r
   WHERE r.run_id = _time_out_task.run_id AND r.status = 'started' FOR NO KEY UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT t.* INTO v_task FROM pgflow.step_tasks AS t
   WHERE t.run_id = _time_out_task.run_id AND t.step_slug = _time_out_task.step_slug
     AND t.task_index = _time_out_task.task_index AND t.status = 'started'
     AND t.attempt = _time_out_task.attempt AND t.available_at <= now()
     FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  PERFORM pgflow._fail_attempt(v_run, v_task,
    format('timed out: the lease of attempt %s expired at %s without a completion or failure',
           v_task.attempt, v_task.available_at));
END;
$$;
