-- started -> completed for a step, with its output; returns the dependents now ready.
CREATE FUNCTION pgflow._complete_step(run pgflow.runs, step_slug text, output jsonb)
RETURNS text[]
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pgflow.step_states AS ss
     SET status = 'completed', output = _complete_step.output, finished_at = now()
   WHERE ss.run_id = run.run_id AND ss.step_slug = _complete_step.step_slug;
  RETURN pgflow._settle(run, ARRAY[step_slug]);
END;
$$;
