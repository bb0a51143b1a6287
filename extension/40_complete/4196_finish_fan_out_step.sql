-- After a fan-out report emptied its counter shard: under the run lock (which
-- the caller holds, as does every other shard-emptying report and every run
-- writer), the step is done when no shard has tasks left. Exactly one report
-- sees that: the others that emptied a shard either committed before the lock
-- was ours or wait behind it. The step then completes with the array of its task
-- outputs in index order, and its dependents start. A run stopped, or a step
-- settled (skipped after a task of it exhausted its attempts) meanwhile: nothing.
CREATE OR REPLACE FUNCTION pgflow._finish_fan_out_step(run pgflow.runs, step_slug text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF run.status <> 'started' THEN
    RETURN;
  END IF;
  UPDATE pgflow.step_states AS ss
     SET status = 'completed', remaining_tasks = 0, finished_at = now(),
         output = (SELECT jsonb_agg(t.output ORDER BY t.task_index) FROM pgflow.step_tasks AS t
                    WHERE t.run_id = run.run_id AND t.step_slug = _finish_fan_out_step.step_slug)
   WHERE ss.run_id = run.run_id AND ss.step_slug = _finish_fan_out_step.step_slug AND ss.status = 'started'
     AND NOT EXISTS (SELECT 1 FROM pgflow.fan_out_shards AS f
                      WHERE f.run_id = run.run_id AND f.step_slug = _finish_fan_out_step.step_slug
                        AND f.remaining > 0);
  IF FOUND THEN
    PERFORM pgflow._start_steps(run, pgflow._settle(run, ARRAY[step_slug]));
  END IF;
END;
$$;
