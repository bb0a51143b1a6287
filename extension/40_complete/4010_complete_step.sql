-- created/started -> completed for a step, with its output: the one place a
-- step completes (a plain step's task completed: _complete_task; a fan-out's
-- last task: _finish_fan_out_step; a fan-out over nothing: _start_steps). Then
-- the bookkeeping of a settled step (_settle). Returns the dependents now ready,
-- for _start_steps. Callers hold the run's row lock.
CREATE OR REPLACE FUNCTION pgflow._complete_step(run pgflow.runs, step_slug text, output jsonb)
RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := now();  -- a variable in coalesce: see _settle
BEGIN
  UPDATE pgflow.step_states AS ss
     SET status = 'completed', remaining_tasks = 0, output = _complete_step.output,
         started_at = coalesce(ss.started_at, v_now), finished_at = v_now
   WHERE ss.run_id = run.run_id AND ss.step_slug = _complete_step.step_slug
     AND ss.status IN ('created', 'started');
  IF NOT FOUND THEN
    RETURN '{}'::text[];
  END IF;
  RETURN pgflow._settle(run, ARRAY[step_slug]);
END;
$$;
