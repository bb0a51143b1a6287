-- Every report's run lock (complete_task, complete_tasks, fail_task): the run
-- row, FOR NO KEY UPDATE, which every writer of a run's state takes first (lock
-- order: 0000_tables.sql); or say precisely why the task named does not exist.
-- With nowait, a run row held by another transaction raises lock_not_available
-- at once (a fan-out completion holding its task row must not wait for it).
CREATE OR REPLACE FUNCTION pgflow._lock_run(run_id uuid, step_slug text, task_index int, nowait boolean DEFAULT false)
RETURNS pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
BEGIN
  IF pgflow._claim_commit_pending() THEN
    PERFORM pgflow._durable_commit();
  END IF;
  IF nowait THEN
    SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = _lock_run.run_id FOR NO KEY UPDATE NOWAIT;
  ELSE
    SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = _lock_run.run_id FOR NO KEY UPDATE;
  END IF;
  IF NOT FOUND THEN
    PERFORM pgflow._raise_unknown_task(run_id, step_slug, task_index);
  END IF;
  RETURN v_run;
END;
$$;
