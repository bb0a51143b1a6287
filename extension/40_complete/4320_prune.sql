-- Deletes up to batch_size runs that finished (completed, failed or cancelled)
-- more than older_than ago, with their step states, tasks and attempts, the
-- workers not seen for that long, and the limit counters of keys idle that long
-- (_prune_limit_counters). Returns
-- the number of rows removed (all tables); 0 means nothing is left to prune, so
-- runs are taken whole with their subflows' child runs (batch_size counts the
-- top-level runs: _prunable_trees); 
-- callers repeat until 0 (the CLI does). With partitioned history
-- (partition_history) a call first drops the oldest set of partitions that can
-- go whole, and returns its rows (_prune_history_sets). One bounded batch per
-- call keeps each transaction short, and SKIP LOCKED on the runs means it never waits for a
-- worker that is still reporting on one of them.
CREATE OR REPLACE FUNCTION pgflow.prune(older_than interval, batch_size int DEFAULT 10000)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_runs uuid[];
  v_rows bigint;
  v_removed bigint := 0::bigint;
  v_cutoff timestamptz;
  v_busy_from uuid;
  v_distributed boolean := pgflow._distributed();
BEGIN
  IF older_than IS NULL OR older_than < interval '0' THEN
    RAISE EXCEPTION 'older_than must be a non-negative interval, got %', coalesce(older_than::text, 'null')
      USING ERRCODE = '22023', HINT = 'e.g. pgflow.prune(older_than => interval ''30 days'')';
  END IF;
  BEGIN
    v_cutoff := now() - older_than;
  EXCEPTION WHEN datetime_field_overflow THEN
    RAISE EXCEPTION 'older_than % is too large: now() minus it is before the earliest timestamp', older_than
      USING ERRCODE = '22008', HINT = 'Nothing is that old; e.g. pgflow.prune(older_than => interval ''100 years'') removes every finished run.';
  END;
  IF batch_size IS NULL OR batch_size < 1 THEN
    RAISE EXCEPTION 'batch_size must be at least 1, got %', coalesce(batch_size::text, 'null')
      USING ERRCODE = '22023';
  END IF;
  -- Partitioned history: a whole set of partitions first, if one can go. If
  -- one could but its locks were not granted, the deletes leave it (and every
  -- newer set) alone: the next call drops it.
  IF NOT v_distributed THEN
    SELECT h.removed, h.busy_from INTO v_removed, v_busy_from FROM pgflow._prune_history_sets(v_cutoff) AS h;
    IF v_removed > 0 THEN
      RETURN v_removed;
    END IF;
  END IF;
  IF v_distributed THEN
    -- Citus locks no rows in a query over every shard: the runs are picked
    -- unlocked, and the deletes below wait for a late report on one (short).
    SELECT coalesce(array_agg(x.run_id), '{}') INTO v_runs
      FROM (SELECT r.run_id FROM pgflow.runs AS r
             WHERE r.finished_at < v_cutoff AND r.status IN ('completed', 'failed', 'cancelled')
               AND r.parent_run_id IS NULL
             ORDER BY r.finished_at
             LIMIT batch_size) AS x;
  ELSE
    SELECT coalesce(array_agg(x.run_id), '{}') INTO v_runs
      FROM (SELECT r.run_id FROM pgflow.runs AS r
             WHERE r.finished_at < v_cutoff AND r.status IN ('completed', 'failed', 'cancelled')
               AND r.parent_run_id IS NULL
               AND NOT (v_busy_from IS NOT NULL AND r.run_id >= v_busy_from AND r.run_id < pgflow._history_bound(v_cutoff))
             ORDER BY r.finished_at
             LIMIT batch_size
               FOR UPDATE SKIP LOCKED) AS x;
  END IF;
  -- A run goes with its child runs, and theirs: a tree is removed whole or not
  -- at all (never one with a run still going, or one locked by a late report).
  IF EXISTS (SELECT 1 FROM pgflow.runs AS c WHERE c.parent_run_id = ANY (v_runs)) THEN
    v_runs := pgflow._prunable_trees(v_runs);
  END IF;
  DELETE FROM pgflow.task_attempts AS a WHERE a.run_id = ANY (v_runs);
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  v_removed := v_removed + v_rows;
  DELETE FROM pgflow.fan_out_shards AS f WHERE f.run_id = ANY (v_runs);
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  v_removed := v_removed + v_rows;
  DELETE FROM pgflow.step_tasks AS t WHERE t.run_id = ANY (v_runs);
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  v_removed := v_removed + v_rows;
  DELETE FROM pgflow.step_states AS ss WHERE ss.run_id = ANY (v_runs);
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  v_removed := v_removed + v_rows;
  DELETE FROM pgflow.runs AS r WHERE r.run_id = ANY (v_runs);
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  v_removed := v_removed + v_rows;
  DELETE FROM pgflow.workers AS w WHERE w.last_seen_at < v_cutoff;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  v_removed := v_removed + v_rows;
  RETURN v_removed + pgflow._prune_limit_counters(v_cutoff, batch_size);
END;
$$;
