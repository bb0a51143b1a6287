-- Tasks of a flow became claimable now: wake listening workers with
-- pg_notify('pgflow_tasks', flow_slug), but only when a wake-up is wanted.
-- A transaction that notifies holds a cluster-wide lock through its commit, so
-- most commits must not notify:
--   - registered workers (worker_heartbeat, seen in the last 30 s, not signed
--     off) are woken only while one of them is idle; the first transaction to
--     wake them turns their idle flags off (rows it cannot lock at once are
--     being woken, or re-armed, by someone else: skipped, never waited for), so
--     the next ones do not notify again. A woken worker claims; a claim that
--     leaves it room turns its flag on again (_rearm_worker). A busy worker's
--     own next claim is its wake-up.
--   - listeners that never register are always woken while no registered
--     worker is live (so a lone script that LISTENs keeps working).
-- On Citus nobody is woken: tasks become claimable on the worker node of their
-- run, whose notifications reach only sessions on that node, and workers
-- connect to the coordinator; they poll (and claim again whenever a slot frees).
CREATE OR REPLACE FUNCTION pgflow._wake_workers(flow_slug text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_woken int;
BEGIN
  IF pgflow._distributed() THEN
    RETURN;
  END IF;
  UPDATE pgflow.workers AS w SET idle = false
   WHERE w.worker_id IN (SELECT x.worker_id FROM pgflow.workers AS x
                          WHERE x.idle AND x.last_seen_at > now() - interval '30 seconds'
                            AND (x.step_keys IS NULL OR cardinality(x.step_keys) > 0)
                            FOR UPDATE SKIP LOCKED);
  GET DIAGNOSTICS v_woken = ROW_COUNT;
  IF v_woken > 0 OR NOT EXISTS (SELECT 1 FROM pgflow.workers AS w
                                 WHERE w.last_seen_at > now() - interval '30 seconds'
                                   AND (w.step_keys IS NULL OR cardinality(w.step_keys) > 0)) THEN
    PERFORM pg_notify('pgflow_tasks', flow_slug);
  END IF;
END;
$$;
