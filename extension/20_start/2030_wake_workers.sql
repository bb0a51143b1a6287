-- Tasks of a flow became claimable now: wake listening workers with
-- pg_notify('pgflow_tasks', flow_slug) -- unless workers have registered
-- (worker_heartbeat, seen in the last 30 s, not signed off) and none of them is idle. A busy
-- worker claims again as soon as it has room, so it needs no wake-up, and a
-- transaction that notifies holds a cluster-wide lock through its commit: every
-- skipped notification is a commit that need not wait for the others. Listeners
-- that never register are always woken while no registered worker is live.
CREATE OR REPLACE FUNCTION pgflow._wake_workers(flow_slug text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_live bigint;
  v_idle boolean;
BEGIN
  SELECT count(*), coalesce(bool_or(w.idle), false) INTO v_live, v_idle
    FROM pgflow.workers AS w
   WHERE w.last_seen_at > now() - interval '30 seconds'
     AND (w.step_keys IS NULL OR cardinality(w.step_keys) > 0);  -- [] = signed off
  IF v_live = 0 OR v_idle THEN
    PERFORM pg_notify('pgflow_tasks', flow_slug);
  END IF;
END;
$$;
