-- The conversion to partitioned history, run by the row that records the
-- layout (AFTER INSERT on history_layout): by partition_history, and by a
-- restore that loads the row (pg_dump --load-via-partition-root: the rows come
-- back through the parents, wherever pg_dump placed the row among them).
-- Under ACCESS EXCLUSIVE on every run-keyed table (runs first, then by name):
--   1. the foreign keys between run-keyed tables go, since a partition set is
--      dropped whole and a referenced partition cannot be dropped without a
--      check over every referencing one (prune deletes what they cascaded);
--   2. each table becomes a partitioned parent with itself as DEFAULT
--      (_partition_history_table);
--   3. functions and views move to the parents (_repoint_to_parents);
--   4. runs_unfinished_idx (prune's last check before a drop), the bucket rows
--      of keyed starts, and the sets from now to premake intervals ahead.
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
  v_foreign_key record;
BEGIN
  IF (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid = 'pgflow.runs'::regclass) = 'r' THEN
    FOREACH v_table IN ARRAY v_tables LOOP
      EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', v_table);
    END LOOP;
    FOR v_foreign_key IN
      SELECT co.conrelid::regclass AS relation, co.conname FROM pg_catalog.pg_constraint AS co
       WHERE co.contype = 'f' AND co.conrelid = ANY (v_tables) AND co.confrelid = ANY (v_tables)
       ORDER BY co.conrelid, co.conname
    LOOP
      EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', v_foreign_key.relation, v_foreign_key.conname);
    END LOOP;
    FOREACH v_table IN ARRAY v_tables LOOP
      PERFORM pgflow._partition_history_table(v_table);
    END LOOP;
    PERFORM pgflow._repoint_to_parents(v_tables);
    CREATE INDEX runs_unfinished_idx ON pgflow.runs (run_id) WHERE finished_at IS NULL;
    INSERT INTO pgflow.start_key_locks (bucket) SELECT b FROM generate_series(0, 1023) AS b
    ON CONFLICT ON CONSTRAINT start_key_locks_pkey DO NOTHING;
  END IF;
  PERFORM pgflow._make_history_partitions(
    pgflow._history_set_start(now(), NEW.partition_interval),
    pgflow._history_set_start(now(), NEW.partition_interval) + (NEW.premake + 1) * NEW.partition_interval);
  RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER history_layout_chosen AFTER INSERT ON pgflow.history_layout
  FOR EACH ROW EXECUTE FUNCTION pgflow._history_layout_chosen();
