-- prune's first move with partitioned history: drops the oldest partition set
-- that can go whole, and returns its rows (0: none could; 1 for a set that
-- held none, so that prune's caller still calls again). A set can go when
-- its interval ended before the cut-off, every run in it finished before the
-- cut-off, and no subflow tree crosses its edge (a run of the set whose parent
-- lives outside it, or a run outside it whose parent is in it): those are left
-- to prune's deletes, which take trees whole, and the set goes on a later call.
-- Counted before the drop with plain reads (nothing waits on them). The drop
-- takes ACCESS EXCLUSIVE on the parents in table order, waiting at most 100 ms
-- (lock_timeout; then the set waits for a later call, and the subtransaction
-- gives the locks back), and checks again under them that no run of the set
-- started again (retry_run) or finished late: two index probes
-- (runs_unfinished_idx, runs_finished_idx). One set per call, and prune returns
-- at once: the parents stay locked until the caller commits, so a caller that
-- holds prune's transaction open holds up every claim.
CREATE OR REPLACE FUNCTION pgflow._prune_history_sets(cutoff timestamptz)
RETURNS bigint
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
  IF NOT EXISTS (SELECT 1 FROM pgflow.history_layout) THEN
    RETURN 0::bigint;
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
    v_partitions := ARRAY(SELECT format('pgflow.%I', c.relname || v_suffix)
                            FROM unnest(v_tables) WITH ORDINALITY AS t(relation, i)
                            JOIN pg_catalog.pg_class AS c ON c.oid = t.relation ORDER BY t.i);
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
    BEGIN
      PERFORM set_config('lock_timeout', '100ms', true);
      FOREACH v_table IN ARRAY v_tables LOOP
        EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', v_table);
      END LOOP;
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM pgflow.%1$I AS r WHERE r.finished_at IS NULL) '
                     '    OR EXISTS (SELECT 1 FROM pgflow.%1$I AS r WHERE r.finished_at >= $1)', v_set.relname)
        INTO v_blocked USING cutoff;
      IF v_blocked THEN
        RAISE EXCEPTION 'a run of the set started again' USING ERRCODE = '55006';
      END IF;
      -- One statement: the set's partitions reference each other (its keys).
      FOREACH v_partition IN ARRAY v_partitions LOOP
        IF v_member THEN
          EXECUTE format('ALTER EXTENSION pgflow DROP TABLE %s', v_partition);
        END IF;
      END LOOP;
      EXECUTE 'DROP TABLE ' || array_to_string(v_partitions, ', ');
      PERFORM set_config('lock_timeout', v_lock_timeout, true);
      RETURN greatest(v_count, 1::bigint);  -- an empty set counts 1, so the caller calls again
    EXCEPTION WHEN lock_not_available OR object_in_use THEN
      NULL;  -- busy, or revived: a later call
    END;
  END LOOP;
  RETURN 0::bigint;
END;
$$;
