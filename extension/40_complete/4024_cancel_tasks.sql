-- queued/started -> cancelled for the tasks of a run (of one step when step_slug
-- is given): none of them is claimed or extended afterwards, and reports from
-- their workers are ignored. Callers hold the run's row lock. Takes the steps'
-- counter shards, then waits for task rows locked at that moment (a claim, a
-- heartbeat, a fan-out completion in flight): no holder of those waits for a
-- run row (lock order: 0000_tables.sql), so the wait is short and no cycle
-- forms, and no task is left live because its row happened to be locked.
CREATE OR REPLACE FUNCTION pgflow._cancel_tasks(run_id uuid, step_slug text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM pgflow.fan_out_shards AS f
   WHERE f.run_id = _cancel_tasks.run_id AND (_cancel_tasks.step_slug IS NULL OR f.step_slug = _cancel_tasks.step_slug)
   ORDER BY f.step_slug, f.shard
     FOR UPDATE;
  UPDATE pgflow.step_tasks AS t SET status = 'cancelled', finished_at = now()
   WHERE t.run_id = _cancel_tasks.run_id AND t.status IN ('queued', 'started')
     AND (_cancel_tasks.step_slug IS NULL OR t.step_slug = _cancel_tasks.step_slug);
END;
$$;
