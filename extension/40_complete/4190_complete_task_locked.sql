-- complete_task's work for a task of a plain (not fan-out) step, once the run row
-- is locked: the task completes, and with it its step (a plain step has one
-- task), which releases its dependents.
CREATE OR REPLACE FUNCTION pgflow._complete_task(
  run pgflow.runs, step_slug text, output jsonb, task_index int, attempt int, lease_token uuid)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_task pgflow.step_tasks := pgflow._lock_task(run, step_slug, task_index, attempt, 'completion', lease_token);
BEGIN
  IF v_task.run_id IS NULL THEN
    RETURN pgflow._task(run.run_id, step_slug, task_index);
  END IF;
  IF NOT pgflow._store_output(v_task, output) THEN
    RETURN pgflow._refuse_output(run, v_task, output);
  END IF;
  PERFORM pgflow._start_steps(run, pgflow._complete_step(run, v_task.step_slug, output));
  RETURN pgflow._task(run.run_id, step_slug, task_index);
END;
$$;
