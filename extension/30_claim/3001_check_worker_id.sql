-- Raises unless worker_id is a usable worker name: non-empty and at most 255
-- characters (it is stored on every task a worker claims and in workers), not
-- starting with "pgflow:" (see _subflow_holder).
CREATE OR REPLACE FUNCTION pgflow._check_worker_id(worker_id text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF worker_id IS NULL OR worker_id = '' THEN
    RAISE EXCEPTION 'worker_id must be a non-empty text' USING ERRCODE = '22023',
      HINT = 'Identify the worker, e.g. host:pid, so step_tasks shows who ran what.';
  END IF;
  -- (A prefix, not a call of _subflow_holder(): this runs on every claim.)
  IF worker_id LIKE 'pgflow:%' THEN
    RAISE EXCEPTION 'worker_id "%" is reserved: names starting with "pgflow:" mark tasks the engine holds (those of subflow steps, held by child runs)',
      pgflow._excerpt(worker_id)
      USING ERRCODE = '22023', HINT = 'Identify the worker otherwise, e.g. host:pid.';
  END IF;
  IF length(worker_id) > 255 THEN
    RAISE EXCEPTION 'worker_id must be at most 255 characters, got % ("%")', length(worker_id), pgflow._excerpt(worker_id)
      USING ERRCODE = '22023', HINT = 'Identify the worker briefly, e.g. host:pid.';
  END IF;
END;
$$;
