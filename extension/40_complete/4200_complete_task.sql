-- A worker reports a task's output. In one transaction: the task completes; when
-- it is the step's last task the step completes (a fan-out step's output is the
-- array of its task outputs in index order), dependents whose dependencies have
-- all settled start, and the run completes when no step is left.
-- Locks: the run row first (FOR NO KEY UPDATE), then the task row. Every writer
-- of a run's state takes the run lock first, so a join's last two dependencies
-- completing at once start the join exactly once, and a run that fails cannot
-- race a completion into creating tasks. claim_tasks and extend_lease lock task
-- rows only (claim_tasks never waits; extend_lease waits on one task row while
-- holding nothing else), so no lock cycle is possible.
-- Stale, duplicate or late reports are ignored with a NOTICE and return the task
-- as it stands. An output over the step's max_output_bytes (its size as JSON text) is not
-- stored: the attempt fails with an error giving the size and the limit.
CREATE FUNCTION pgflow.complete_task(
  run_id uuid, step_slug text, output jsonb DEFAULT NULL, task_index int DEFAULT 0, attempt int DEFAULT NULL)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
BEGIN
  RETURN pgflow._complete_task(pgflow._lock_run(run_id, step_slug, task_index), step_slug, output,
                               task_index, attempt);
END;
$$;
