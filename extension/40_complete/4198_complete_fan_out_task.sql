-- complete_task for a task of a fan-out step. Completions of one fan-out do not
-- queue on the run row: the report locks its counter shard and its task row
-- only (_store_fan_out_report). Only a report that needs the run (it emptied
-- its shard, its output is refused, or the step's outputs outgrew the
-- aggregate) takes the run lock, and it must not wait for it while holding
-- those: a run writer (cancel_run, a failing sibling, retry_run) holding the
-- run lock waits for the shards and task rows it changes. So it tries the lock
-- NOWAIT; if busy, the subtransaction holding the shard and task locks is
-- rolled back, and the report starts over in the lock order, run, shard, task
-- (0000_tables.sql), deciding everything under the run lock: a run that was
-- cancelled meanwhile ignores it (the cancel cancelled the task).
CREATE OR REPLACE FUNCTION pgflow._complete_fan_out_task(
  run_id uuid, step_slug text, output jsonb, task_index int, attempt int, lease_token uuid)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
  v_outcome text;
BEGIN
  PERFORM pgflow._durable_commit();
  BEGIN
    SELECT r.* INTO STRICT v_run FROM pgflow.runs AS r WHERE r.run_id = _complete_fan_out_task.run_id;
    v_outcome := pgflow._store_fan_out_report(v_run, step_slug, output, task_index, attempt, lease_token);
    IF v_outcome IN ('too_large', 'emptied', 'over_aggregate') THEN
      v_run := pgflow._lock_run(run_id, step_slug, task_index, nowait => true);
      PERFORM pgflow._after_fan_out_report(v_run, v_outcome, step_slug, output, task_index);
    END IF;
  EXCEPTION WHEN lock_not_available THEN
    v_run := pgflow._lock_run(run_id, step_slug, task_index);
    v_outcome := pgflow._store_fan_out_report(v_run, step_slug, output, task_index, attempt, lease_token);
    PERFORM pgflow._after_fan_out_report(v_run, v_outcome, step_slug, output, task_index);
  END;
  RETURN pgflow._task(run_id, step_slug, task_index);
END;
$$;
