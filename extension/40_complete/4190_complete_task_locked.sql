-- complete_task's work once the run row is locked (see complete_task).
CREATE FUNCTION pgflow._complete_task(run pgflow.runs, step_slug text, output jsonb, task_index int, attempt int)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_task pgflow.step_tasks := pgflow._lock_task(run, step_slug, task_index, attempt, 'completion');
  v_fan_out boolean;
  v_max_output_bytes int;
  v_output_bytes int := coalesce(octet_length(output::text), 0);
  v_remaining int;
BEGIN
  IF v_task.run_id IS NULL THEN
    RETURN pgflow._task(run.run_id, step_slug, task_index);
  END IF;

  -- Completes the task unless the output is over the limit. A single task's output
  -- is stored once, on its step; fan-out outputs wait on their tasks.
  UPDATE pgflow.step_tasks AS t
     SET status = 'completed', finished_at = now(), output = CASE WHEN s.fan_out THEN _complete_task.output END
    FROM pgflow.steps AS s, pgflow.flows AS f
   WHERE t.run_id = v_task.run_id AND t.step_slug = v_task.step_slug AND t.task_index = v_task.task_index
     AND s.flow_slug = t.flow_slug AND s.flow_version = t.flow_version AND s.step_slug = t.step_slug
     AND f.flow_slug = t.flow_slug AND f.version = t.flow_version
     AND v_output_bytes <= coalesce(s.max_output_bytes, f.max_output_bytes)
  RETURNING s.fan_out INTO v_fan_out;
  IF NOT FOUND THEN
    SELECT coalesce(s.max_output_bytes, f.max_output_bytes) INTO STRICT v_max_output_bytes
      FROM pgflow.steps AS s JOIN pgflow.flows AS f ON f.flow_slug = s.flow_slug AND f.version = s.flow_version
     WHERE s.flow_slug = v_task.flow_slug AND s.flow_version = v_task.flow_version AND s.step_slug = v_task.step_slug;
    RAISE WARNING 'pgflow: output of task % of step "%" in run % is % bytes, over max_output_bytes %: attempt % fails',
      task_index, step_slug, run.run_id, v_output_bytes, v_max_output_bytes, v_task.attempt;
    RETURN pgflow._fail_attempt(run, v_task,
      format('output too large: %s bytes, max_output_bytes is %s', v_output_bytes, v_max_output_bytes),
      'OutputTooLarge');
  END IF;
  v_task.status := 'completed';
  v_task.finished_at := now();
  v_task.output := CASE WHEN v_fan_out THEN output END;

  -- The step's last task completes the step, in the same statement: its output is
  -- the task's, or for a fan-out the array of its tasks' outputs in index order
  -- (every other task's completion committed before this one got the run lock).
  UPDATE pgflow.step_states AS ss
     SET remaining_tasks = ss.remaining_tasks - 1,
         status = CASE WHEN ss.remaining_tasks = 1 THEN 'completed' ELSE ss.status END,
         finished_at = CASE WHEN ss.remaining_tasks = 1 THEN now() END,
         output = CASE WHEN ss.remaining_tasks > 1 THEN NULL
                       WHEN NOT v_fan_out THEN _complete_task.output
                       ELSE (SELECT jsonb_agg(t.output ORDER BY t.task_index) FROM pgflow.step_tasks AS t
                              WHERE t.run_id = v_task.run_id AND t.step_slug = v_task.step_slug) END
   WHERE ss.run_id = v_task.run_id AND ss.step_slug = v_task.step_slug
  RETURNING ss.remaining_tasks INTO v_remaining;
  IF v_remaining = 0 THEN
    PERFORM pgflow._start_steps(run, pgflow._settle(run, ARRAY[v_task.step_slug]));
  END IF;
  RETURN v_task;
END;
$$;
