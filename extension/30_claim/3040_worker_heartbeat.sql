-- A worker says it is alive, which steps it serves (the step_keys it claims
-- with), and whether it is idle: waiting for work, so it wants wake-ups. Cheap
-- enough to call every few seconds; rows of workers gone for good are removed by
-- prune.
CREATE OR REPLACE FUNCTION pgflow.worker_heartbeat(worker_id text, step_keys text[] DEFAULT NULL, idle boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF worker_id IS NULL OR worker_id = '' THEN
    RAISE EXCEPTION 'worker_id must be a non-empty text' USING ERRCODE = '22023';
  END IF;
  INSERT INTO pgflow.workers AS w (worker_id, step_keys, idle)
  VALUES (worker_heartbeat.worker_id, worker_heartbeat.step_keys, coalesce(worker_heartbeat.idle, false))
  ON CONFLICT ON CONSTRAINT workers_pkey
  DO UPDATE SET step_keys = excluded.step_keys, idle = excluded.idle, last_seen_at = now();
END;
$$;
