-- A step failed for good: the step becomes failed and the run stops as failed.
-- Callers hold the run's row lock.
CREATE OR REPLACE FUNCTION pgflow._fail_run(run_id uuid, step_slug text, error_message text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pgflow.step_states AS ss
     SET status = 'failed', error_message = _fail_run.error_message, finished_at = now()
   WHERE ss.run_id = _fail_run.run_id AND ss.step_slug = _fail_run.step_slug;
  PERFORM pgflow._stop_run(run_id, 'failed', error_message);
END;
$$;
