-- queued/started -> cancelled for the tasks of a run (of one step when step_slug
-- is given): none of them is claimed or extended afterwards, and reports from
-- their workers are ignored. Callers hold the run's row lock. Waits for task
-- rows locked at that moment (a claim, a heartbeat, a fan-out completion in
-- flight): no holder of a task row waits for a run row (lock order:
-- 0000_tables.sql), so the wait is short and no cycle forms, and no task row is
-- left live because it happened to be locked.
CREATE OR REPLACE FUNCTION pgflow._cancel_tasks(run_id uuid, step_slug text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pgflow.step_tasks AS t SET status = 'cancelled', finished_at = now()
   WHERE t.run_id = _cancel_tasks.run_id AND t.status IN ('queued', 'started')
     AND (_cancel_tasks.step_slug IS NULL OR t.step_slug = _cancel_tasks.step_slug);
END;
$$;
