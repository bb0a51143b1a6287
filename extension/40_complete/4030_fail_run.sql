-- A step failed for good: the step becomes failed, the run failed, and everything
-- unfinished in the run cancelled, so a failed run makes no new tasks and its
-- tasks in flight are ignored when they report. Callers hold the run's row lock.
CREATE FUNCTION pgflow._fail_run(run_id uuid, step_slug text, error_message text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pgflow.step_states AS ss
     SET status = 'failed', error_message = _fail_run.error_message, finished_at = now()
   WHERE ss.run_id = _fail_run.run_id AND ss.step_slug = _fail_run.step_slug;
  UPDATE pgflow.step_states AS ss SET status = 'cancelled', finished_at = now()
   WHERE ss.run_id = _fail_run.run_id AND ss.status IN ('created', 'started');
  UPDATE pgflow.step_tasks AS t SET status = 'cancelled', finished_at = now()
   WHERE t.run_id = _fail_run.run_id AND t.status IN ('queued', 'started');
  UPDATE pgflow.runs AS r
     SET status = 'failed', finished_at = now(), error_message = _fail_run.error_message
   WHERE r.run_id = _fail_run.run_id;
  PERFORM pg_notify('pgflow_runs', run_id::text);
END;
$$;
