-- Makes the partition set for the run ids of [from_at, to_at): one partition
-- of each run-keyed table, named by _history_set_table. Returns the number of
-- partitions made (0: the set exists). Rows the DEFAULT partition already holds
-- in that range (an id a caller chose; a restore's rows) are moved into the new
-- partition before it is attached, so making a set never fails on them.
-- Attaching, PostgreSQL checks that the DEFAULT partition holds nothing of the
-- range: a scan of it, under its lock. After a conversion the DEFAULT holds the
-- history from before it, until prune has removed that.
CREATE OR REPLACE FUNCTION pgflow._make_history_set(from_at timestamptz, to_at timestamptz)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_parent regclass;
  v_table text;
  v_default text;
  v_low uuid := pgflow._history_bound(from_at);
  v_high uuid := pgflow._history_bound(to_at);
  v_made int := 0;
  v_moved boolean;
BEGIN
  FOREACH v_parent IN ARRAY pgflow._history_tables() LOOP
    v_table := pgflow._history_set_table(v_parent, from_at);
    CONTINUE WHEN to_regclass(format('pgflow.%I', v_table)) IS NOT NULL;
    v_default := (SELECT c.relname || '_default' FROM pg_catalog.pg_class AS c WHERE c.oid = v_parent);
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM pgflow.%I AS d WHERE d.run_id >= $1 AND d.run_id < $2)', v_default)
      INTO v_moved USING v_low, v_high;
    IF v_moved THEN
      EXECUTE format('CREATE TABLE pgflow.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',
                     v_table, v_parent);
      EXECUTE format('ALTER TABLE pgflow.%I ADD CONSTRAINT %I CHECK (run_id >= %L AND run_id < %L)',
                     v_table, v_table || '_range', v_low, v_high);
      EXECUTE format('WITH moved AS (DELETE FROM pgflow.%I AS d WHERE d.run_id >= $1 AND d.run_id < $2 RETURNING d.*) '
                     'INSERT INTO pgflow.%I SELECT * FROM moved', v_default, v_table) USING v_low, v_high;
      EXECUTE format('ALTER TABLE %s ATTACH PARTITION pgflow.%I FOR VALUES FROM (%L) TO (%L)',
                     v_parent, v_table, v_low, v_high);
      EXECUTE format('ALTER TABLE pgflow.%I DROP CONSTRAINT %I', v_table, v_table || '_range');
    ELSE
      EXECUTE format('CREATE TABLE pgflow.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                     v_table, v_parent, v_low, v_high);
    END IF;
    PERFORM pgflow._grant_as(v_parent, format('pgflow.%I', v_table)::regclass);
    PERFORM pgflow._keep_in_extension(format('pgflow.%I', v_table)::regclass);
    v_made := v_made + 1;
  END LOOP;
  RETURN v_made;
END;
$$;

-- Makes the sets that cover [from_at, until_at) (whole intervals of the
-- layout), oldest first. Returns how many sets it made.
CREATE OR REPLACE FUNCTION pgflow._make_history_partitions(from_at timestamptz, until_at timestamptz)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_interval interval := (SELECT l.partition_interval FROM pgflow.history_layout AS l);
  v_at timestamptz;
  v_made int := 0;
BEGIN
  IF v_interval IS NULL THEN
    RAISE EXCEPTION 'history is not partitioned' USING ERRCODE = '55000', HINT = 'Call pgflow.partition_history() first.';
  END IF;
  v_at := pgflow._history_set_start(from_at, v_interval);
  WHILE v_at < until_at LOOP
    IF pgflow._make_history_set(v_at, v_at + v_interval) > 0 THEN
      v_made := v_made + 1;
    END IF;
    v_at := v_at + v_interval;
  END LOOP;
  RETURN v_made;
END;
$$;
