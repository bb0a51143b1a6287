-- A worker reports a task's output. In one transaction: the task completes; when
-- it is the step's last task the step completes (a fan-out step's output is the
-- array of its task outputs in index order), dependents whose dependencies have
-- all settled start, and the run completes when no step is left.
-- Locks: for a plain step, the run row first (FOR NO KEY UPDATE), then the task
-- row. Every writer of a run's state takes the run lock, so a join's last two
-- dependencies completing at once start the join exactly once, and a run that
-- fails cannot race a completion into creating tasks. A fan-out task locks its
-- task row and its counter shard, and the run row only when it may be the last
-- (see _store_fan_out_report), so the completions of a fan-out do not queue on
-- one row. claim_tasks never waits; extend_lease waits on one task row while
-- holding nothing else; run writers never wait for task rows.
-- Stale, duplicate or late reports are ignored with a NOTICE and return the task
-- as it stands. An output over the step's max_output_bytes (its size as JSON text) is not
-- stored: the attempt fails with an error giving the size and the limit.
CREATE OR REPLACE FUNCTION pgflow.complete_task(
  run_id uuid, step_slug text, output jsonb DEFAULT NULL, task_index int DEFAULT 0, attempt int DEFAULT NULL)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pgflow._check_flow_grant(run_id);
  IF pgflow._is_fan_out_task(run_id, step_slug, task_index) THEN
    CASE pgflow._store_fan_out_report(run_id, step_slug, output, task_index, attempt)
      WHEN 'too_large' THEN
        RETURN pgflow._refuse_output(pgflow._lock_run(run_id, step_slug, task_index),
                                     pgflow._task(run_id, step_slug, task_index), output);
      WHEN 'emptied' THEN
        PERFORM pgflow._finish_fan_out_step(pgflow._lock_run(run_id, step_slug, task_index), step_slug);
      ELSE
        NULL;  -- ignored, or stored with others of its shard pending
    END CASE;
    RETURN pgflow._task(run_id, step_slug, task_index);
  END IF;
  RETURN pgflow._complete_task(pgflow._lock_run(run_id, step_slug, task_index), step_slug, output,
                               task_index, attempt);
END;
$$;
