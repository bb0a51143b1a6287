-- A child run ended: its outcome is the outcome of the parent's task it was
-- an attempt of. Completed: the task completes with the child's output (the
-- object of its leaf steps' outputs), through the completion functions of any
-- task (_complete_task; a fan-out's _store_fan_out_report and
-- _after_fan_out_report), so the step completes, aggregates and releases its
-- dependents as with a worker. Failed or cancelled: a failed attempt
-- (_fail_attempt), so retries start a new child and when_exhausted applies
-- after the last. The report counts only while the task is held by this child
-- (lease_token = the child's run_id); a parent that stopped, or a task
-- cancelled (the parent cancelling its children), takes nothing; a task that
-- another attempt holds ignores it with a NOTICE, as any stale report.
-- Callers hold the parent's run row lock (read after locking).
CREATE OR REPLACE FUNCTION pgflow._apply_child_outcome(parent pgflow.runs, child pgflow.runs)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_task pgflow.step_tasks;
BEGIN
  SELECT t.* INTO v_task FROM pgflow.step_tasks AS t
   WHERE t.run_id = parent.run_id AND t.step_slug = child.parent_step_slug AND t.task_index = child.parent_task_index;
  IF NOT FOUND OR parent.status <> 'started' OR v_task.status NOT IN ('queued', 'started') THEN
    RETURN;
  END IF;
  IF child.status = 'completed' THEN
    IF v_task.item IS NOT NULL THEN
      PERFORM pgflow._after_fan_out_report(parent,
        pgflow._store_fan_out_report(parent, v_task.step_slug, child.output, v_task.task_index, v_task.attempt, child.run_id),
        v_task.step_slug, child.output, v_task.task_index);
    ELSE
      PERFORM pgflow._complete_task(parent, v_task.step_slug, child.output, v_task.task_index, v_task.attempt,
                                    child.run_id);
    END IF;
    RETURN;
  END IF;
  v_task := pgflow._lock_task(parent, v_task.step_slug, v_task.task_index, v_task.attempt, 'failure', child.run_id);
  IF v_task.run_id IS NOT NULL THEN
    PERFORM pgflow._fail_attempt(parent, v_task,
      format('child run %s of flow "%s" %s: %s', child.run_id, child.flow_slug, child.status,
             coalesce(child.error_message, 'no error message')),
      CASE WHEN child.status = 'cancelled' THEN 'SubflowCancelled' ELSE 'SubflowFailed' END);
  END IF;
END;
$$;
