-- A registered worker's claim left it room (fewer tasks than it asked for): it
-- will wait for work, so it wants a wake-up again (see _wake_workers, which
-- turned its idle flag off when it woke it). Never waits: if its row is locked,
-- a waker is turning the flag off and notifying right now, or its own
-- heartbeat is writing the flag.
CREATE OR REPLACE FUNCTION pgflow._rearm_worker(worker_id text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pgflow.workers AS w SET idle = true
   WHERE w.worker_id IN (SELECT x.worker_id FROM pgflow.workers AS x
                          WHERE x.worker_id = _rearm_worker.worker_id AND NOT x.idle
                            AND (x.step_keys IS NULL OR cardinality(x.step_keys) > 0)
                            FOR UPDATE SKIP LOCKED);
END;
$$;
