-- A worker says it is alive, which steps it serves (the step_keys it claims
-- with), and whether it is idle: waiting for work, so it wants wake-ups. Cheap
-- enough to call every few seconds. One row per worker_id (at most 255
-- characters, at most 10000 step keys); rows of workers gone for good are
-- removed by prune, and until then _wake_workers skips them by index.
CREATE OR REPLACE FUNCTION pgflow.worker_heartbeat(worker_id text, step_keys text[] DEFAULT NULL, idle boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pgflow._check_worker_id(worker_id);
  IF cardinality(step_keys) > 10000 THEN
    RAISE EXCEPTION 'step_keys of worker "%" must list at most 10000 steps, got %', worker_id, cardinality(step_keys)
      USING ERRCODE = '22023', HINT = 'Run workers for fewer flows each.';
  END IF;
  INSERT INTO pgflow.workers AS w (worker_id, step_keys, idle)
  VALUES (worker_heartbeat.worker_id, worker_heartbeat.step_keys, coalesce(worker_heartbeat.idle, false))
  ON CONFLICT ON CONSTRAINT workers_pkey
  DO UPDATE SET step_keys = excluded.step_keys, idle = excluded.idle, last_seen_at = now();
END;
$$;
