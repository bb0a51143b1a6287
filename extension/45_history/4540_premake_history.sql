-- tick's share of partitioned history: the sets from `at` to premake intervals
-- ahead exist. Cheap when they do (the layout row, one catalog probe). Never
-- queues behind claims: the layout row is taken NOWAIT (another tick is at it)
-- and the DDL waits at most 100 ms for a lock (lock_timeout) before it gives up;
-- its subtransaction undoes what it made, and the session tries again a minute
-- later (pgflow.premake_retry_after). A failure other
-- than a lock (say the owner lost superuser) is a WARNING: runs then start in
-- the DEFAULT partition, and prune deletes them as it does without partitions.
CREATE OR REPLACE FUNCTION pgflow._premake_history(at timestamptz)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_layout pgflow.history_layout;
  v_until timestamptz;
  v_lock_timeout text := current_setting('lock_timeout');
  v_made int := 0;
BEGIN
  SELECT l.* INTO v_layout FROM pgflow.history_layout AS l;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  v_until := pgflow._history_set_start(at, v_layout.partition_interval) + v_layout.premake * v_layout.partition_interval;
  IF to_regclass(format('pgflow.%I', 'runs' || pgflow._history_set_suffix(v_until))) IS NOT NULL
     OR coalesce(nullif(current_setting('pgflow.premake_retry_after', true), ''), '-infinity')::timestamptz
        > clock_timestamp() THEN
    RETURN 0;
  END IF;
  BEGIN
    PERFORM 1 FROM pgflow.history_layout AS l FOR NO KEY UPDATE NOWAIT;
    PERFORM set_config('lock_timeout', '100ms', true);
    v_made := pgflow._make_history_partitions(at, v_until + v_layout.partition_interval);
    PERFORM set_config('lock_timeout', v_lock_timeout, true);
  EXCEPTION
    WHEN lock_not_available THEN
      -- This session tries again in a minute, not at its next tick: a lock
      -- held long (an open transaction on a DEFAULT partition) would make
      -- every tick hold up claims for 100 ms.
      PERFORM set_config('pgflow.premake_retry_after', (clock_timestamp() + interval '1 minute')::text, false);
    WHEN OTHERS THEN
      PERFORM set_config('pgflow.premake_retry_after', (clock_timestamp() + interval '1 minute')::text, false);
      RAISE WARNING 'pgflow could not make the history partitions ahead: %', SQLERRM
        USING HINT = 'New runs go to the DEFAULT partitions meanwhile; see pgflow.partition_history.';
  END;
  RETURN v_made;
END;
$$;
