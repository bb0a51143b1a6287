-- started -> failed or cancelled for a run: everything unfinished in it is
-- cancelled, so it makes no new tasks, queued tasks are never claimed, and tasks
-- in flight are ignored when they report (extend_lease tells their workers).
-- Callers hold the run's row lock.
CREATE OR REPLACE FUNCTION pgflow._stop_run(run_id uuid, status text, error_message text)
RETURNS pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
BEGIN
  PERFORM pgflow._durable_commit();
  UPDATE pgflow.step_states AS ss SET status = 'cancelled', finished_at = now()
   WHERE ss.run_id = _stop_run.run_id AND ss.status IN ('created', 'started');
  PERFORM pgflow._cancel_tasks(run_id);
  UPDATE pgflow.runs AS r
     SET status = _stop_run.status, finished_at = now(), error_message = _stop_run.error_message
   WHERE r.run_id = _stop_run.run_id
  RETURNING * INTO v_run;
  PERFORM pgflow._announce_run_end(run_id);
  IF v_run.parent_run_id IS NOT NULL THEN
    PERFORM pgflow._report_to_parent(run_id);  -- a failed child is a failed attempt of its parent's step
  END IF;
  RETURN v_run;
END;
$$;
