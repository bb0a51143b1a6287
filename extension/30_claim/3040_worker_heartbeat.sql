-- A worker says it is alive and which steps it serves (the step_keys it claims
-- with). Cheap enough to call every few seconds; rows of workers gone for good
-- are removed by prune.
CREATE FUNCTION pgflow.worker_heartbeat(worker_id text, step_keys text[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF worker_id IS NULL OR worker_id = '' THEN
    RAISE EXCEPTION 'worker_id must be a non-empty text' USING ERRCODE = '22023';
  END IF;
  INSERT INTO pgflow.workers AS w (worker_id, step_keys)
  VALUES (worker_heartbeat.worker_id, worker_heartbeat.step_keys)
  ON CONFLICT ON CONSTRAINT workers_pkey
  DO UPDATE SET step_keys = excluded.step_keys, last_seen_at = now();
END;
$$;
