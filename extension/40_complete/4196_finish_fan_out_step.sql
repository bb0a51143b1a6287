-- After a fan-out report emptied its counter shard: under the run lock (which
-- the caller holds, as does every other shard-emptying report and every run
-- writer), the step is done when no shard has tasks left. Exactly one report
-- sees that: the others that emptied a shard either committed before the lock
-- was ours or wait behind it. The step then completes with the array of its task
-- outputs in index order, and its dependents start. A run stopped, or a step
-- settled (skipped after a task of it exhausted its attempts) meanwhile: nothing.
-- Also called by retry_run for a fan-out whose tasks all completed before it
-- stopped. Should the array still not fit in one jsonb value (the running total
-- under-counts, e.g. outputs read back compressed), the step fails with the
-- same clear error instead of the run failing with jsonb's.
CREATE OR REPLACE FUNCTION pgflow._finish_fan_out_step(run pgflow.runs, step_slug text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_output jsonb;
BEGIN
  IF run.status <> 'started' THEN
    RETURN;
  END IF;
  PERFORM 1 FROM pgflow.step_states AS ss
   WHERE ss.run_id = run.run_id AND ss.step_slug = _finish_fan_out_step.step_slug AND ss.status = 'started'
     AND NOT EXISTS (SELECT 1 FROM pgflow.fan_out_shards AS f
                      WHERE f.run_id = run.run_id AND f.step_slug = _finish_fan_out_step.step_slug
                        AND f.remaining > 0);
  IF NOT FOUND THEN
    RETURN;
  END IF;
  BEGIN
    SELECT jsonb_agg(t.output ORDER BY t.task_index) INTO v_output FROM pgflow.step_tasks AS t
     WHERE t.run_id = run.run_id AND t.step_slug = _finish_fan_out_step.step_slug;
  EXCEPTION WHEN program_limit_exceeded THEN
    PERFORM pgflow._refuse_aggregate(run, step_slug, SQLERRM);
    RETURN;
  END;
  PERFORM pgflow._start_steps(run, pgflow._complete_step(run, step_slug, v_output));
END;
$$;
