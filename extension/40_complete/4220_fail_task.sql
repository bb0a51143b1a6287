-- A worker reports that an attempt failed. Retries with exponential backoff, or,
-- when attempts are exhausted, applies the step's when_exhausted policy (see
-- _fail_attempt). Same stale-report rules as complete_task (attempt, lease_token).
-- Locks the run row, then the task row, for fan-out tasks too: failures are
-- rare enough to queue on the run row (lock order: 0000_tables.sql).
-- error_type and error_details (e.g. an exception class and traceback) are kept
-- with the attempt in task_attempts. Stored texts are cut (marking the cut) at
-- 64 Ki characters for error_message, 1 Ki for error_type, 1 Mi for error_details.
CREATE OR REPLACE FUNCTION pgflow.fail_task(
  run_id uuid, step_slug text, error_message text, task_index int DEFAULT 0, attempt int DEFAULT NULL,
  error_type text DEFAULT NULL, error_details text DEFAULT NULL, lease_token uuid DEFAULT NULL)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
  v_task pgflow.step_tasks;
BEGIN
  PERFORM pgflow._check_flow_grant(run_id);
  v_run := pgflow._lock_run(run_id, step_slug, task_index);
  v_task := pgflow._lock_task(v_run, step_slug, task_index, attempt, 'failure', lease_token);
  IF v_task.run_id IS NULL THEN
    RETURN pgflow._task(run_id, step_slug, task_index);
  END IF;
  -- Bounded, so a runaway traceback cannot bloat task_attempts (documented in the README).
  RETURN pgflow._fail_attempt(v_run, v_task, pgflow._excerpt(coalesce(error_message, 'no error message given'), 65536),
                              pgflow._excerpt(error_type, 1024), pgflow._excerpt(error_details, 1048576));
END;
$$;
