-- The conversion to partitioned history, run by the row that records the
-- layout (AFTER INSERT on history_layout): by partition_history, and by a
-- restore that loads the row (pg_dump --load-via-partition-root: the rows come
-- back through the parents, wherever pg_dump placed the row among them).
-- Under ACCESS EXCLUSIVE on every run-keyed table (runs first, then by name):
--   1. each table becomes a partitioned parent with itself as DEFAULT
--      (_partition_history_table); the foreign keys between run-keyed tables
--      stay on the DEFAULT partitions, and each set gets its own, within the
--      set (a referenced partition could not be dropped otherwise without a
--      check over every referencing one);
--   2. functions and views move to the parents (_repoint_to_parents);
--   3. runs_unfinished_idx (prune's last check before a drop), the bucket rows
--      of keyed starts, and the sets from now (a restore: from the oldest set
--      the dumped layout had) to premake intervals ahead.
-- A layout row whose tables are partitioned already (partition_history made
-- them, then inserted it) only makes the sets.
CREATE OR REPLACE FUNCTION pgflow._history_layout_chosen()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET check_function_bodies = off AS $$
DECLARE
  v_tables regclass[] := pgflow._history_tables();
  v_table regclass;
BEGIN
  IF (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid = 'pgflow.runs'::regclass) = 'r' THEN
    FOREACH v_table IN ARRAY v_tables LOOP
      EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', v_table);
    END LOOP;
    FOREACH v_table IN ARRAY v_tables LOOP
      PERFORM pgflow._partition_history_table(v_table);
    END LOOP;
    PERFORM pgflow._repoint_to_parents(v_tables);
    CREATE INDEX runs_unfinished_idx ON pgflow.runs (run_id) WHERE finished_at IS NULL;
    INSERT INTO pgflow.start_key_locks (bucket) SELECT b FROM generate_series(0, 1023) AS b
    ON CONFLICT ON CONSTRAINT start_key_locks_pkey DO NOTHING;
  END IF;
  -- From the oldest set a restored layout had (its rows come back into it).
  PERFORM pgflow._make_history_partitions(
    least(NEW.oldest_set, pgflow._history_set_start(now(), NEW.partition_interval)),
    pgflow._history_set_start(now(), NEW.partition_interval) + (NEW.premake + 1) * NEW.partition_interval);
  RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER history_layout_chosen AFTER INSERT ON pgflow.history_layout
  FOR EACH ROW EXECUTE FUNCTION pgflow._history_layout_chosen();
