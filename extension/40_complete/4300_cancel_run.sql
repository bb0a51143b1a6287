-- Cancels a started run: the run and its unfinished steps become cancelled,
-- queued tasks are never claimed, completions in flight are ignored, and their
-- workers learn it at their next extend_lease (it returns NULL). The reason is
-- kept in runs.error_message. Cancelling a run that already ended changes
-- nothing (a NOTICE says so). Locks the run row, like every writer of a run.
CREATE OR REPLACE FUNCTION pgflow.cancel_run(run_id uuid, reason text DEFAULT NULL)
RETURNS pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
BEGIN
  SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = cancel_run.run_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'run % does not exist', coalesce(run_id::text, 'null') USING ERRCODE = 'P0002';
  END IF;
  IF v_run.status <> 'started' THEN
    RAISE NOTICE 'pgflow: run % is already %; nothing to cancel', run_id, v_run.status;
    RETURN v_run;
  END IF;
  RETURN pgflow._stop_run(run_id, 'cancelled', 'cancelled: ' || coalesce(reason, 'no reason given'));
END;
$$;
