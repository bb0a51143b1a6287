-- queued -> started for the tasks of a subflow step (_start_steps, and
-- retry_run for a fan-out that keeps its completed tasks). No worker claims
-- them: each task is held by a child run (_start_child), which is its attempt.
-- The children start now, or after delay_seconds: until then a task is
-- started with no lease_token, its attempt the number of the child to come,
-- and claim_tasks starts the child when due, as it would take an expired
-- lease (_drive_subflow_task). Callers hold the run's row lock and have
-- started the step. Returns whether the run is still started: a child that
-- ends at once (in its start_flow) settles its task right away, which may
-- complete the step (its dependents start) or stop the run.
CREATE OR REPLACE FUNCTION pgflow._start_children(run pgflow.runs, step_slug text, delay_seconds int)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_task pgflow.step_tasks;
BEGIN
  UPDATE pgflow.step_tasks AS t
     SET status = 'started', attempt = t.attempt + 1, worker_id = pgflow._subflow_holder(), started_at = now(),
         lease_token = NULL, available_at = now() + make_interval(secs => delay_seconds)
   WHERE t.run_id = run.run_id AND t.step_slug = _start_children.step_slug AND t.status = 'queued';
  IF delay_seconds = 0 THEN
    FOR v_task IN
      SELECT t.* FROM pgflow.step_tasks AS t
       WHERE t.run_id = run.run_id AND t.step_slug = _start_children.step_slug
         AND t.status = 'started' AND t.lease_token IS NULL
       ORDER BY t.task_index
    LOOP
      PERFORM pgflow._start_child(run, v_task);
    END LOOP;
  END IF;
  RETURN EXISTS (SELECT 1 FROM pgflow.runs AS r WHERE r.run_id = run.run_id AND r.status = 'started');
END;
$$;
