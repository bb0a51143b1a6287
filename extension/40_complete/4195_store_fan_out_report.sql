-- The first half of a fan-out task's completion; the second is
-- _finish_fan_out_step. Completions of one fan-out do not queue on one row: each
-- locks its task row, then decrements its shard of the step's counter
-- (fan_out_shards, task_index % 16), without the run lock. Returns what happened:
--   'ignored'   the report does not count (stale, late, run stopped: a NOTICE said so);
--   'too_large' nothing stored: the caller fails the attempt under the run lock;
--   'stored'    the task completed, others of its shard are still pending;
--   'emptied'   the task completed and emptied its shard: the step may be done,
--               which the caller decides under the run lock (_finish_fan_out_step).
-- Lock order of fan-out reports: task, shard, then (only for the last two
-- outcomes) run. Run writers holding the run lock never wait for a task row
-- (_cancel_tasks skips locked rows, retry_run refuses), so no cycle forms.
CREATE OR REPLACE FUNCTION pgflow._store_fan_out_report(
  run_id uuid, step_slug text, output jsonb, task_index int, attempt int)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
  v_task pgflow.step_tasks;
  v_remaining int;
BEGIN
  SELECT r.* INTO STRICT v_run FROM pgflow.runs AS r WHERE r.run_id = _store_fan_out_report.run_id;
  v_task := pgflow._lock_task(v_run, step_slug, task_index, attempt, 'completion');
  IF v_task.run_id IS NULL THEN
    RETURN 'ignored';
  END IF;
  IF NOT pgflow._store_output(v_task, output) THEN
    RETURN 'too_large';
  END IF;
  UPDATE pgflow.fan_out_shards AS f SET remaining = f.remaining - 1
   WHERE f.run_id = v_task.run_id AND f.step_slug = v_task.step_slug AND f.shard = v_task.task_index % 16
  RETURNING f.remaining INTO v_remaining;
  RETURN CASE WHEN v_remaining > 0 THEN 'stored' ELSE 'emptied' END;
END;
$$;
