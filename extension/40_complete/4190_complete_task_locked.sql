-- complete_task's work for a task of a plain (not fan-out) step, once the run row
-- is locked: the task completes, and with it its step (a plain step has one
-- task), which releases its dependents. The hot path of every workflow, so each
-- statement counts (bench/statements.py): the completed row is returned as the
-- UPDATE left it, and _start_steps runs only when a dependent became ready.
CREATE OR REPLACE FUNCTION pgflow._complete_task(
  run pgflow.runs, step_slug text, output jsonb, task_index int, attempt int, lease_token uuid)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_task pgflow.step_tasks := pgflow._lock_task(run, step_slug, task_index, attempt, 'completion', lease_token);
  v_done pgflow.step_tasks;
  v_ready text[];
BEGIN
  IF v_task.run_id IS NULL THEN
    RETURN pgflow._task(run.run_id, step_slug, task_index);
  END IF;
  v_done := pgflow._store_output(v_task, output);
  IF v_done.run_id IS NULL THEN
    RETURN pgflow._refuse_output(run, v_task, output);
  END IF;
  v_ready := pgflow._complete_step(run, v_task.step_slug, output);
  IF cardinality(v_ready) > 0 THEN
    PERFORM pgflow._start_steps(run, v_ready);
  END IF;
  RETURN v_done;
END;
$$;
