-- A signal completes its waiting (or just ready) step: the signal is marked
-- applied (never applied again, whatever retry_run does later), the step's
-- deadline is dropped, and the step completes with the payload as its output
-- (_complete_step). Returns the dependents now ready, for _start_steps.
-- Called by send_signal (the step waits) and _await_signal (a kept signal);
-- callers hold the run's row lock.
CREATE OR REPLACE FUNCTION pgflow._complete_signal_step(run pgflow.runs, step_slug text, payload jsonb)
RETURNS text[]
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pgflow.signals AS g SET applied_at = now()
   WHERE g.run_id = run.run_id AND g.step_slug = _complete_signal_step.step_slug;
  DELETE FROM pgflow.signal_deadlines AS d
   WHERE d.run_id = run.run_id AND d.step_slug = _complete_signal_step.step_slug;
  RETURN pgflow._complete_step(run, step_slug, payload);
END;
$$;
