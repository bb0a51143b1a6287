-- A worker reports a task's output. In one transaction: the task completes; when
-- it is the step's last task the step completes (a fan-out step's output is the
-- array of its task outputs in index order), dependents whose dependencies have
-- all settled start, and the run completes when no step is left.
-- Locks (the order: 0000_tables.sql): for a plain step, the run row first (FOR
-- NO KEY UPDATE), then the task row. Every writer of a run's state takes the run
-- lock, so a join's last two dependencies completing at once start the join
-- exactly once, and a run that fails cannot race a completion into creating
-- tasks. A fan-out task locks its counter shard and its task row, and the run
-- row only when it may be the last (see _complete_fan_out_task), so the
-- completions of a fan-out do not queue on one row.
-- The report counts only for the claim that made it: pass the attempt and the
-- lease_token claim_tasks returned. Stale, duplicate or late reports (another
-- attempt or lease holds the task, it ended, the run ended, the claim was lost)
-- are ignored with a NOTICE and return the task as it stands. An output over the
-- step's max_output_bytes (its size as JSON text) is not stored: the attempt
-- fails with an error giving the size and the limit.
CREATE OR REPLACE FUNCTION pgflow.complete_task(
  run_id uuid, step_slug text, output jsonb DEFAULT NULL, task_index int DEFAULT 0, attempt int DEFAULT NULL,
  lease_token uuid DEFAULT NULL)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
BEGIN
  IF pgflow._granted_flows() IS NOT NULL THEN  -- no statement for the common case
    PERFORM pgflow._check_flow_grant(run_id);
  END IF;
  IF pgflow._is_fan_out_task(run_id, step_slug, task_index) THEN
    RETURN pgflow._complete_fan_out_task(run_id, step_slug, output, task_index, attempt, lease_token);
  END IF;
  RETURN pgflow._complete_task(pgflow._lock_run(run_id, step_slug, task_index), step_slug, output,
                               task_index, attempt, lease_token);
END;
$$;
