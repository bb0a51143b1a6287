-- A subflow task's next attempt: a run of the step's subflow, on that flow's
-- latest version now (start_flow), whose input is the task's element (fan-out),
-- or its step's dependency's output (JSON null when the dependency was
-- skipped), or the parent run's input for a step without dependencies. The
-- child keeps the parent's priority and trace (traceparent), and names the
-- task it works for (parent_run_id, parent_step_slug, parent_task_index); the
-- task holds the child's run_id as its lease_token, and never expires
-- (available_at infinity) while the child runs: the child's end settles it
-- (_report_to_parent). One transaction with the parent's: the child's steps
-- are claimable when it commits.
-- Callers hold the parent's run row lock (lock order: parent before child,
-- 0000_tables.sql) and the task is started without a child. A task that is no
-- longer waiting (a sibling's child that ended at once settled or stopped
-- things) is left alone. A child that ends within its start_flow (no steps,
-- roots skipped or failed on their conditions) ended before it knew its
-- parent: its outcome is applied here.
CREATE OR REPLACE FUNCTION pgflow._start_child(parent pgflow.runs, task pgflow.step_tasks)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_task pgflow.step_tasks;
  v_subflow text;
  v_input jsonb;
  v_dep record;
  v_child pgflow.runs;
  v_parent pgflow.runs;
BEGIN
  SELECT t.* INTO v_task FROM pgflow.step_tasks AS t
   WHERE t.run_id = task.run_id AND t.step_slug = task.step_slug AND t.task_index = task.task_index
     FOR UPDATE;
  IF v_task.status IS DISTINCT FROM 'started' OR v_task.lease_token IS NOT NULL
     OR NOT EXISTS (SELECT 1 FROM pgflow.runs AS r WHERE r.run_id = parent.run_id AND r.status = 'started') THEN
    RETURN;
  END IF;
  SELECT s.subflow INTO STRICT v_subflow FROM pgflow.steps AS s
   WHERE s.flow_slug = v_task.flow_slug AND s.flow_version = v_task.flow_version AND s.step_slug = v_task.step_slug;
  IF v_task.item IS NOT NULL THEN
    v_input := v_task.item;
  ELSE
    SELECT ss.status, ss.output INTO v_dep
      FROM pgflow.deps AS d
      JOIN pgflow.step_states AS ss ON ss.run_id = v_task.run_id AND ss.step_slug = d.dep_slug
     WHERE d.flow_slug = v_task.flow_slug AND d.flow_version = v_task.flow_version AND d.step_slug = v_task.step_slug;
    v_input := CASE WHEN NOT FOUND THEN parent.input
                    WHEN v_dep.status = 'completed' THEN coalesce(v_dep.output, 'null')
                    ELSE 'null' END;
  END IF;

  v_child := pgflow.start_flow(v_subflow, v_input, priority => parent.priority, traceparent => parent.traceparent);
  UPDATE pgflow.runs AS r
     SET parent_run_id = parent.run_id, parent_step_slug = v_task.step_slug, parent_task_index = v_task.task_index
   WHERE r.run_id = v_child.run_id
  RETURNING r.* INTO v_child;
  UPDATE pgflow.step_tasks AS t SET lease_token = v_child.run_id, started_at = now(), available_at = 'infinity'
   WHERE t.run_id = v_task.run_id AND t.step_slug = v_task.step_slug AND t.task_index = v_task.task_index;
  IF v_child.status <> 'started' THEN
    SELECT r.* INTO STRICT v_parent FROM pgflow.runs AS r WHERE r.run_id = parent.run_id;
    PERFORM pgflow._apply_child_outcome(v_parent, v_child);
  END IF;
END;
$$;
