-- First step of every report (complete_task, complete_tasks, fail_task): lock the
-- run row, the lock every writer of a run's state takes first, or say precisely
-- why the task named does not exist.
CREATE OR REPLACE FUNCTION pgflow._lock_run(run_id uuid, step_slug text, task_index int)
RETURNS pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
BEGIN
  SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = _lock_run.run_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    PERFORM pgflow._raise_unknown_task(run_id, step_slug, task_index);
  END IF;
  RETURN v_run;
END;
$$;
