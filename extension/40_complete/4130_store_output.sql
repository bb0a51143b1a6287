-- started -> completed for a task whose report counts, unless its output is over
-- the step's max_output_bytes (bytes of JSON text): returns NULL then, and
-- stores nothing. Returns the completed row otherwise, so the caller answers
-- with it without reading it again. A single task's output is stored once, on
-- its step; fan-out outputs wait on their tasks for the aggregate.
CREATE OR REPLACE FUNCTION pgflow._store_output(task pgflow.step_tasks, output jsonb)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_done pgflow.step_tasks;
  v_limit int;
BEGIN
  -- Read first, not in the UPDATE: on Citus a function in a statement on a
  -- distributed table runs inside the shard's query, where it may not query.
  SELECT o.max_output_bytes INTO v_limit
    FROM pgflow._step_options(task.flow_slug, task.flow_version, task.step_slug) AS o;
  UPDATE pgflow.step_tasks AS t
     SET status = 'completed', finished_at = now(), output = CASE WHEN t.item IS NOT NULL THEN _store_output.output END
   WHERE t.run_id = task.run_id AND t.step_slug = task.step_slug AND t.task_index = task.task_index
     AND coalesce(octet_length(_store_output.output::text), 0) <= v_limit
  RETURNING t.* INTO v_done;
  RETURN v_done;
END;
$$;
