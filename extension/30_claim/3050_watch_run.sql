-- A client that waits for a run to end calls this after LISTEN pgflow_runs:
-- the run's end is then notified (payload: the run id). Run ends nobody watches
-- do not notify, so most completions commit without the cluster-wide lock a
-- notifying commit takes. Returns the run as it is now: when it has already
-- ended, no notification will come.
-- Locks the run row FOR SHARE, which waits for a transaction ending the run (it
-- holds FOR NO KEY UPDATE) and makes one that comes later wait for this one:
-- either the run is returned ended, or its end sees the watcher.
CREATE OR REPLACE FUNCTION pgflow.watch_run(run_id uuid)
RETURNS pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
BEGIN
  SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = watch_run.run_id FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'run % does not exist', coalesce(run_id::text, 'null') USING ERRCODE = 'P0002';
  END IF;
  IF v_run.status = 'started' THEN
    INSERT INTO pgflow.run_watchers AS w (run_id) VALUES (v_run.run_id)
    ON CONFLICT ON CONSTRAINT run_watchers_pkey DO UPDATE SET watched_at = excluded.watched_at;
  END IF;
  RETURN v_run;
END;
$$;
