-- Cancels the queued and started tasks of a run (of one step when step_slug is
-- given). Callers hold the run's row lock. A plain step's task row is only ever
-- locked by holders that never wait (claims, heartbeats; its reports take the
-- run lock first), so those are waited for. A fan-out task row may be locked by
-- a report that waits for this very run lock (see _store_fan_out_report): those
-- are skipped, not waited for. Such a report then finds the run stopped or the
-- step settled and changes nothing else; a fan-out task it leaves started is
-- cancelled by the claim that finds its lease expired.
CREATE OR REPLACE FUNCTION pgflow._cancel_tasks(run_id uuid, step_slug text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pgflow.step_tasks AS t SET status = 'cancelled', finished_at = now()
   WHERE t.run_id = _cancel_tasks.run_id AND t.status IN ('queued', 'started') AND t.item IS NULL
     AND (_cancel_tasks.step_slug IS NULL OR t.step_slug = _cancel_tasks.step_slug);
  UPDATE pgflow.step_tasks AS t SET status = 'cancelled', finished_at = now()
   WHERE t.ctid = ANY (ARRAY(
           SELECT x.ctid FROM pgflow.step_tasks AS x
            WHERE x.run_id = _cancel_tasks.run_id AND x.status IN ('queued', 'started') AND x.item IS NOT NULL
              AND (_cancel_tasks.step_slug IS NULL OR x.step_slug = _cancel_tasks.step_slug)
              FOR UPDATE SKIP LOCKED));
END;
$$;
