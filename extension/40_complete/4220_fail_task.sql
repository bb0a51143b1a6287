-- A worker reports that an attempt failed. Retries with exponential backoff, or,
-- when attempts are exhausted, applies the step's when_exhausted policy (see
-- _fail_attempt). Same stale-report rules as complete_task (attempt, lease_token).
-- Locks the run row, then the task row, for fan-out tasks too: failures are
-- rare enough to queue on the run row (lock order: 0000_tables.sql).
-- error_type and error_details (e.g. an exception class and traceback) are kept
-- with the attempt in task_attempts.
CREATE OR REPLACE FUNCTION pgflow.fail_task(
  run_id uuid, step_slug text, error_message text, task_index int DEFAULT 0, attempt int DEFAULT NULL,
  error_type text DEFAULT NULL, error_details text DEFAULT NULL, lease_token uuid DEFAULT NULL)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs := pgflow._lock_run(run_id, step_slug, task_index);
  v_task pgflow.step_tasks := pgflow._lock_task(v_run, step_slug, task_index, attempt, 'failure', lease_token);
BEGIN
  IF v_task.run_id IS NULL THEN
    RETURN pgflow._task(run_id, step_slug, task_index);
  END IF;
  RETURN pgflow._fail_attempt(v_run, v_task, coalesce(error_message, 'no error message given'),
                              error_type, error_details);
END;
$$;
