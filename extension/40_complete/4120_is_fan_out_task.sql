-- Whether a task belongs to a fan-out step (only fan-out tasks carry an item; a
-- JSON null element is stored as jsonb 'null'), or NULL for an unknown task.
-- Reports pick their lock order by it: see _store_fan_out_report.
CREATE OR REPLACE FUNCTION pgflow._is_fan_out_task(run_id uuid, step_slug text, task_index int)
RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_fan_out boolean;
BEGIN
  SELECT t.item IS NOT NULL INTO v_fan_out FROM pgflow.step_tasks AS t
   WHERE t.run_id = _is_fan_out_task.run_id AND t.step_slug = _is_fan_out_task.step_slug
     AND t.task_index = _is_fan_out_task.task_index;
  RETURN v_fan_out;
END;
$$;
