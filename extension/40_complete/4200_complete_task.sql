-- A worker reports a task's output. In one transaction: the task completes; when
-- it is the step's last task the step completes (a fan-out step's output is the
-- array of its task outputs in index order), dependents whose dependencies have
-- all settled start, and the run completes when no step is left.
-- Locks: the run row first (FOR NO KEY UPDATE), then the task row. Every writer
-- of a run's state takes the run lock first, so a join's last two dependencies
-- completing at once start the join exactly once, and a run that fails cannot
-- race a completion into creating tasks. claim_tasks and extend_lease lock task
-- rows only (claim_tasks never waits; extend_lease waits on one task row while
-- holding nothing else), so no lock cycle is possible.
-- Stale, duplicate or late reports are ignored with a NOTICE and return the task
-- as it stands. An output over the step's max_output_bytes (jsonb size) is not
-- stored: the attempt fails with an error giving the size and the limit.
CREATE FUNCTION pgflow.complete_task(
  run_id uuid, step_slug text, output jsonb DEFAULT NULL, task_index int DEFAULT 0, attempt int DEFAULT NULL)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
  v_task pgflow.step_tasks;
  v_fan_out boolean;
  v_max_output_bytes int;
  v_output_bytes int;
  v_remaining int;
BEGIN
  SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = complete_task.run_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    PERFORM pgflow._raise_unknown_task(run_id, step_slug, task_index);
  END IF;
  v_task := pgflow._lock_task(v_run, step_slug, task_index, attempt, 'completion');
  IF v_task.run_id IS NULL THEN
    SELECT t.* INTO v_task FROM pgflow.step_tasks AS t
     WHERE t.run_id = complete_task.run_id AND t.step_slug = complete_task.step_slug
       AND t.task_index = complete_task.task_index;
    RETURN v_task;
  END IF;

  SELECT s.fan_out, coalesce(s.max_output_bytes, f.max_output_bytes) INTO STRICT v_fan_out, v_max_output_bytes
    FROM pgflow.steps AS s JOIN pgflow.flows AS f ON f.flow_slug = s.flow_slug AND f.version = s.flow_version
   WHERE s.flow_slug = v_task.flow_slug AND s.flow_version = v_task.flow_version AND s.step_slug = v_task.step_slug;
  v_output_bytes := pg_column_size(output);
  IF v_output_bytes > v_max_output_bytes THEN
    RAISE WARNING 'pgflow: output of task % of step "%" in run % is % bytes, over max_output_bytes %: attempt % fails',
      task_index, step_slug, run_id, v_output_bytes, v_max_output_bytes, v_task.attempt;
    RETURN pgflow._fail_attempt(v_run, v_task,
      format('output too large: %s bytes, max_output_bytes is %s', v_output_bytes, v_max_output_bytes),
      'OutputTooLarge');
  END IF;
  -- A single task's output is stored once, on its step; fan-out outputs wait on their tasks.
  UPDATE pgflow.step_tasks AS t
     SET status = 'completed', finished_at = now(),
         output = CASE WHEN v_fan_out THEN complete_task.output END
   WHERE t.run_id = v_task.run_id AND t.step_slug = v_task.step_slug AND t.task_index = v_task.task_index
  RETURNING * INTO v_task;
  UPDATE pgflow.step_states AS ss SET remaining_tasks = ss.remaining_tasks - 1
   WHERE ss.run_id = v_task.run_id AND ss.step_slug = v_task.step_slug
  RETURNING ss.remaining_tasks INTO v_remaining;
  IF v_remaining = 0 THEN
    PERFORM pgflow._start_steps(v_run, pgflow._complete_step(v_run, v_task.step_slug,
      CASE WHEN v_fan_out
           THEN (SELECT jsonb_agg(t.output ORDER BY t.task_index) FROM pgflow.step_tasks AS t
                  WHERE t.run_id = v_task.run_id AND t.step_slug = v_task.step_slug)
           ELSE complete_task.output END));
  END IF;
  RETURN v_task;
END;
$$;
