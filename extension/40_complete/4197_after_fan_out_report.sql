-- The second half of a fan-out task's completion, for the outcomes of
-- _store_fan_out_report that need the run: under the run lock (the caller
-- holds it, re-read after locking), the refused output fails its attempt, an
-- emptied shard may finish the step, an outgrown aggregate fails it. Other
-- outcomes need nothing more.
CREATE OR REPLACE FUNCTION pgflow._after_fan_out_report(
  run pgflow.runs, outcome text, step_slug text, output jsonb, task_index int)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  CASE outcome
    WHEN 'too_large' THEN
      PERFORM pgflow._refuse_output(run, pgflow._task(run.run_id, step_slug, task_index), output);
    WHEN 'emptied' THEN
      PERFORM pgflow._finish_fan_out_step(run, step_slug);
    WHEN 'over_aggregate' THEN
      PERFORM pgflow._refuse_aggregate(run, step_slug);
    ELSE
      NULL;  -- ignored, or stored with others of its shard pending
  END CASE;
END;
$$;
