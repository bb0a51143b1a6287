-- A task as it stands, for the callers that ignored a report and answer with it.
CREATE OR REPLACE FUNCTION pgflow._task(run_id uuid, step_slug text, task_index int)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_task pgflow.step_tasks;
BEGIN
  SELECT t.* INTO STRICT v_task FROM pgflow.step_tasks AS t
   WHERE t.run_id = _task.run_id AND t.step_slug = _task.step_slug AND t.task_index = _task.task_index;
  RETURN v_task;
END;
$$;
