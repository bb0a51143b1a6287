-- queued/started -> cancelled for the tasks of a run (of one step when step_slug
-- is given): none of them is claimed or extended afterwards, and reports from
-- their workers are ignored. Callers hold the run's row lock. Takes the steps'
-- counter shards, then waits for task rows locked at that moment (a claim, a
-- heartbeat, a fan-out completion in flight): no holder of those waits for a
-- run row (lock order: 0000_tables.sql), so the wait is short and no cycle
-- forms, and no task is left live because its row happened to be locked.
-- A cancelled subflow task's child run is cancelled too, recursively.
CREATE OR REPLACE FUNCTION pgflow._cancel_tasks(run_id uuid, step_slug text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_children uuid[];
  v_child pgflow.runs;
BEGIN
  PERFORM 1 FROM pgflow.fan_out_shards AS f
   WHERE f.run_id = _cancel_tasks.run_id AND (_cancel_tasks.step_slug IS NULL OR f.step_slug = _cancel_tasks.step_slug)
   ORDER BY f.step_slug, f.shard
     FOR UPDATE;
  -- One statement, which also says which cancelled tasks were held by child runs.
  WITH cancelled AS (
    UPDATE pgflow.step_tasks AS t SET status = 'cancelled', finished_at = now()
     WHERE t.run_id = _cancel_tasks.run_id AND t.status IN ('queued', 'started')
       AND (_cancel_tasks.step_slug IS NULL OR t.step_slug = _cancel_tasks.step_slug)
    RETURNING t.worker_id, t.lease_token)
  SELECT array_agg(c.lease_token ORDER BY c.lease_token) INTO v_children
    FROM cancelled AS c WHERE c.worker_id = pgflow._subflow_holder() AND c.lease_token IS NOT NULL;
  -- Their children are cancelled with them, and theirs in turn (_stop_run
  -- calls this for each): parent before child (lock order: 0000_tables.sql).
  FOR v_position IN 1 .. coalesce(cardinality(v_children), 0) LOOP
    SELECT r.* INTO v_child FROM pgflow.runs AS r WHERE r.run_id = v_children[v_position] FOR NO KEY UPDATE;
    IF FOUND AND v_child.status = 'started' THEN
      PERFORM pgflow._stop_run(v_child.run_id, 'cancelled',
        format('cancelled: its parent run %s no longer waits for step "%s"', _cancel_tasks.run_id, v_child.parent_step_slug));
    END IF;
  END LOOP;
END;
$$;
