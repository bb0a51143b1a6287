-- A worker reports that an attempt failed. Retries with exponential backoff, or,
-- when attempts are exhausted, applies the step's when_exhausted policy (see
-- _fail_attempt). Same stale-report rules and lock order as complete_task: a
-- fan-out task's row before the run's.
-- error_type and error_details (e.g. an exception class and traceback) are kept
-- with the attempt in task_attempts. Stored texts are cut (marking the cut) at
-- 64 Ki characters for error_message, 1 Ki for error_type, 1 Mi for error_details.
CREATE OR REPLACE FUNCTION pgflow.fail_task(
  run_id uuid, step_slug text, error_message text, task_index int DEFAULT 0, attempt int DEFAULT NULL,
  error_type text DEFAULT NULL, error_details text DEFAULT NULL)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_fan_out boolean;
  v_run pgflow.runs;
  v_task pgflow.step_tasks;
BEGIN
  PERFORM pgflow._check_flow_grant(run_id);
  v_fan_out := pgflow._is_fan_out_task(run_id, step_slug, task_index);
  IF v_fan_out THEN
    SELECT r.* INTO STRICT v_run FROM pgflow.runs AS r WHERE r.run_id = fail_task.run_id;
  ELSE
    v_run := pgflow._lock_run(run_id, step_slug, task_index);
  END IF;
  v_task := pgflow._lock_task(v_run, step_slug, task_index, attempt, 'failure');
  IF v_task.run_id IS NULL THEN
    RETURN pgflow._task(run_id, step_slug, task_index);
  END IF;
  IF v_fan_out THEN
    v_run := pgflow._lock_run(run_id, step_slug, task_index);
    IF v_run.status <> 'started' THEN
      RAISE NOTICE 'pgflow: ignored the failure of task % of step "%" in run %: the run is %',
        task_index, step_slug, run_id, v_run.status;
      RETURN v_task;
    END IF;
  END IF;
  -- Bounded, so a runaway traceback cannot bloat task_attempts (documented in the README).
  RETURN pgflow._fail_attempt(v_run, v_task, pgflow._excerpt(coalesce(error_message, 'no error message given'), 65536),
                              pgflow._excerpt(error_type, 1024), pgflow._excerpt(error_details, 1048576));
END;
$$;
