-- A run ended (completed, failed or cancelled): tell its watchers (watch_run)
-- on pgflow_runs, and only them; a run nobody watches ends without a
-- notification (a notifying commit takes a cluster-wide lock). Callers hold the
-- run's row lock.
CREATE OR REPLACE FUNCTION pgflow._announce_run_end(run_id uuid)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM pgflow.run_watchers AS w WHERE w.run_id = _announce_run_end.run_id;
  IF FOUND THEN
    PERFORM pg_notify('pgflow_runs', run_id::text);
  END IF;
END;
$$;
