-- prune's first move with partitioned history: drops the oldest partition set
-- that can go whole. removed: its rows (0: none went; 1 for a set that held
-- none, so that prune's caller still calls again); busy_from: set when a set
-- could go but its locks were not granted (its lower bound: prune's deletes
-- then leave it and every newer set alone, for a later call to drop).
-- A set can go when its interval ended before the cut-off, every run in it
-- finished before the cut-off, and no subflow tree crosses its edge (a run of
-- the set whose parent lives outside it, or a run outside it whose parent is
-- in it): those are left to prune's deletes, which take trees whole, and the
-- set goes on a later call. Counted before the drop with plain reads (nothing
-- waits on them). The drop takes ACCESS EXCLUSIVE on the parents (see below;
-- three tries, then the set waits for a later call, and each try's
-- subtransaction gives its locks back), and checks again under them that no
-- run of the set started again (retry_run) or finished late: two index probes
-- (runs_unfinished_idx, runs_finished_idx). One set per call, and prune
-- returns at once: the parents stay locked until the caller commits, so a
-- caller that holds prune's transaction open holds up every claim.
CREATE OR REPLACE FUNCTION pgflow._prune_history_sets(cutoff timestamptz, OUT removed bigint, OUT busy_from uuid)
LANGUAGE plpgsql AS $$
DECLARE
  v_tables regclass[];
  v_table regclass;
  v_set record;
  v_suffix text;
  v_partitions text[];
  v_partition text;
  v_rows bigint;
  v_count bigint;
  v_blocked boolean;
  v_lock_timeout text := current_setting('lock_timeout');
  v_member boolean := EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e WHERE e.extname = 'pgflow');
BEGIN
  removed := 0::bigint;
  IF NOT EXISTS (SELECT 1 FROM pgflow.history_layout) THEN
    RETURN;
  END IF;
  v_tables := pgflow._history_tables();
  FOR v_set IN
    SELECT c.relname, substring(b.bound FROM 'FROM \(''([^'']+)''\)')::uuid AS low,
           substring(b.bound FROM 'TO \(''([^'']+)''\)')::uuid AS high
      FROM pg_catalog.pg_inherits AS i
      JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
     CROSS JOIN LATERAL pg_get_expr(c.relpartbound, c.oid) AS b(bound)
     WHERE i.inhparent = 'pgflow.runs'::regclass AND b.bound <> 'DEFAULT'
     ORDER BY 2
  LOOP
    EXIT WHEN v_set.high > pgflow._history_bound(cutoff);
    v_suffix := substr(v_set.relname, length('runs') + 1);
    v_partitions := ARRAY(SELECT format('pgflow.%I', n || v_suffix) FROM unnest(pgflow._history_table_names()) AS n);
    EXECUTE format(
      'SELECT EXISTS (SELECT 1 FROM pgflow.%1$I AS r WHERE r.finished_at IS NULL OR r.finished_at >= $1) '
      '    OR EXISTS (SELECT 1 FROM pgflow.%1$I AS c JOIN pgflow.runs AS p ON p.run_id = c.parent_run_id '
      '                WHERE c.parent_run_id IS NOT NULL AND NOT (c.parent_run_id >= $2 AND c.parent_run_id < $3)) '
      '    OR EXISTS (SELECT 1 FROM pgflow.runs AS c WHERE c.parent_run_id >= $2 AND c.parent_run_id < $3 '
      '                  AND NOT (c.run_id >= $2 AND c.run_id < $3))', v_set.relname)
      INTO v_blocked USING cutoff, v_set.low, v_set.high;
    CONTINUE WHEN v_blocked;
    v_count := 0::bigint;
    FOREACH v_partition IN ARRAY v_partitions LOOP
      EXECUTE format('SELECT count(*) FROM %s', v_partition) INTO v_rows;
      v_count := v_count + v_rows;
    END LOOP;
    FOR v_attempt IN 1 .. 3 LOOP
      BEGIN
        -- step_tasks first, waiting at most 100 ms: every claim and report
        -- holds it, so once it is granted the transactions that were running
        -- have ended and the new ones wait at it; the other parents are then
        -- free, and taken NOWAIT. Waiting for them instead could close a
        -- cycle with a transaction that holds one and waits at step_tasks.
        PERFORM set_config('lock_timeout', '100ms', true);
        LOCK TABLE pgflow.step_tasks IN ACCESS EXCLUSIVE MODE;
        FOREACH v_table IN ARRAY v_tables LOOP
          EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE NOWAIT', v_table);
        END LOOP;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM pgflow.%1$I AS r WHERE r.finished_at IS NULL) '
                       '    OR EXISTS (SELECT 1 FROM pgflow.%1$I AS r WHERE r.finished_at >= $1)', v_set.relname)
          INTO v_blocked USING cutoff;
        IF v_blocked THEN
          RAISE EXCEPTION 'a run of the set started again' USING ERRCODE = '55006';
        END IF;
        FOREACH v_partition IN ARRAY v_partitions LOOP
          IF v_member THEN
            EXECUTE format('ALTER EXTENSION pgflow DROP TABLE %s', v_partition);
          END IF;
        END LOOP;
        -- One statement: the set's partitions reference each other (its keys).
        EXECUTE 'DROP TABLE ' || array_to_string(v_partitions, ', ');
        PERFORM set_config('lock_timeout', v_lock_timeout, true);
        removed := greatest(v_count, 1::bigint);  -- an empty set counts 1, so the caller calls again
        RETURN;
      EXCEPTION
        WHEN object_in_use THEN
          EXIT;  -- revived: no longer a candidate
        WHEN lock_not_available THEN
          busy_from := v_set.low;  -- busy: again in a moment, then on a later call
          PERFORM pg_sleep(0.01 * v_attempt);
      END;
    END LOOP;
    EXIT WHEN busy_from IS NOT NULL;
  END LOOP;
END;
$$;
