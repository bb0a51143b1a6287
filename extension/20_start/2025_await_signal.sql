-- A signal step became ready (its conditions held): it has no task. If a signal
-- was sent for it before it was ready (kept in pgflow.signals, not yet applied),
-- it completes now with that payload (_complete_signal_step); otherwise it is
-- started and waits for send_signal, with its deadline recorded when it has a
-- signal_timeout (read now: a later change applies to later waits). A wait
-- started again by retry_run replaces the deadline of the one before.
-- Returns the dependents now ready, for _start_steps, its only caller (which
-- holds the run's row lock, so the signal rows are stable here).
CREATE OR REPLACE FUNCTION pgflow._await_signal(run pgflow.runs, step_slug text, signal_timeout int)
RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  v_kept pgflow.signals;
BEGIN
  SELECT g.* INTO v_kept FROM pgflow.signals AS g
   WHERE g.run_id = run.run_id AND g.step_slug = _await_signal.step_slug AND g.applied_at IS NULL;
  IF FOUND THEN
    RETURN pgflow._complete_signal_step(run, step_slug, v_kept.payload);
  END IF;
  UPDATE pgflow.step_states AS ss SET status = 'started', started_at = now(), remaining_tasks = 0
   WHERE ss.run_id = run.run_id AND ss.step_slug = _await_signal.step_slug;
  IF signal_timeout IS NOT NULL THEN
    INSERT INTO pgflow.signal_deadlines AS d (run_id, step_slug, deadline)
    VALUES (run.run_id, _await_signal.step_slug, now() + make_interval(secs => signal_timeout))
    ON CONFLICT ON CONSTRAINT signal_deadlines_pkey DO UPDATE SET deadline = excluded.deadline;
  END IF;
  RETURN '{}'::text[];
END;
$$;
