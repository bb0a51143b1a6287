-- Makes the partition set for the run ids of [from_at, to_at): one partition
-- of each run-keyed table, named by _history_set_suffix. Returns the number of
-- partitions made (0: the set exists).
-- Each partition starts as a table of its own (the parent's columns, CHECKs and
-- indexes, and a CHECK of the range so attaching scans nothing of it); rows the
-- DEFAULT partitions already hold in the range (a run id a caller chose, the
-- rows a restore loaded before its layout row) move into it; then it is
-- attached, and the set gets the foreign keys between run-keyed tables among
-- its own partitions (step_tasks_pX -> step_states_pX, ON DELETE CASCADE as in
-- the plain layout), copied from the DEFAULT partitions, which keep the
-- original ones. Keys within a set: a set is dropped whole, and pg_dump orders
-- the partitions' rows by them, so a restore loads a run before its steps.
-- Attaching, PostgreSQL checks that the DEFAULT partition holds nothing of the
-- range: a scan of it, under its lock. After a conversion the DEFAULT holds the
-- history from before it, until prune has removed that.
CREATE OR REPLACE FUNCTION pgflow._make_history_set(from_at timestamptz, to_at timestamptz)
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$  -- (the catalog's definitions then name pgflow's tables in full)
DECLARE
  v_parent text;
  v_made text[] := '{}'::text[];  -- the parents whose partition this call made
  v_low uuid := pgflow._history_bound(from_at);
  v_high uuid := pgflow._history_bound(to_at);
  v_key record;
  v_suffix text := pgflow._history_set_suffix(from_at);
BEGIN
  -- @plpgsql_check_options: security_warnings = false
  -- (DDL from the catalog's own definitions and names, quoted with %I; no argument reaches it but
  -- instants, as %L literals)
  FOREACH v_parent IN ARRAY pgflow._history_table_names() LOOP
    CONTINUE WHEN to_regclass(format('pgflow.%I', v_parent || v_suffix)) IS NOT NULL;
    EXECUTE format('CREATE TABLE pgflow.%I (LIKE pgflow.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES '
                   'INCLUDING STORAGE)', v_parent || v_suffix, v_parent);
    EXECUTE format('ALTER TABLE pgflow.%I ADD CONSTRAINT history_set_range CHECK (run_id >= %L AND run_id < %L)',
                   v_parent || v_suffix, v_low, v_high);
    EXECUTE format('INSERT INTO pgflow.%I SELECT * FROM pgflow.%I AS d WHERE d.run_id >= $1 AND d.run_id < $2',
                   v_parent || v_suffix, v_parent || '_default') USING v_low, v_high;
    v_made := v_made || v_parent;
  END LOOP;
  -- Copied first, then deleted: a DEFAULT run's delete cascades to its rows.
  FOREACH v_parent IN ARRAY v_made LOOP
    EXECUTE format('DELETE FROM pgflow.%I AS d WHERE d.run_id >= $1 AND d.run_id < $2', v_parent || '_default')
      USING v_low, v_high;
  END LOOP;
  FOREACH v_parent IN ARRAY v_made LOOP
    EXECUTE format('ALTER TABLE pgflow.%I ATTACH PARTITION pgflow.%I FOR VALUES FROM (%L) TO (%L)',
                   v_parent, v_parent || v_suffix, v_low, v_high);
    EXECUTE format('ALTER TABLE pgflow.%I DROP CONSTRAINT history_set_range', v_parent || v_suffix);
    PERFORM pgflow._grant_as(format('pgflow.%I', v_parent)::regclass, format('pgflow.%I', v_parent || v_suffix)::regclass);
    PERFORM pgflow._keep_in_extension(format('pgflow.%I', v_parent || v_suffix)::regclass);
  END LOOP;
  -- The DEFAULT partitions' keys between run-keyed tables, within the new set.
  FOR v_key IN
    SELECT co.conname, regexp_replace(c.relname, '_default$', '') AS child, pg_get_constraintdef(co.oid) AS definition,
           r.relname AS referenced, regexp_replace(r.relname, '_default$', '') AS referenced_parent
      FROM pg_catalog.pg_constraint AS co
      JOIN pg_catalog.pg_class AS c ON c.oid = co.conrelid
      JOIN pg_catalog.pg_class AS r ON r.oid = co.confrelid
     WHERE co.contype = 'f' AND c.relnamespace = 'pgflow'::regnamespace AND r.relnamespace = 'pgflow'::regnamespace
       AND c.relname IN (SELECT m || '_default' FROM unnest(v_made) AS m)
       AND r.relname IN (SELECT m || '_default' FROM unnest(v_made) AS m)
     ORDER BY c.relname, co.conname
  LOOP
    EXECUTE format('ALTER TABLE pgflow.%I ADD CONSTRAINT %I %s', v_key.child || v_suffix, v_key.conname,
                   replace(v_key.definition, format('REFERENCES pgflow.%s(', v_key.referenced),
                           format('REFERENCES pgflow.%s(', v_key.referenced_parent || v_suffix)));
  END LOOP;
  UPDATE pgflow.history_layout AS l SET oldest_set = from_at WHERE l.oldest_set IS NULL OR l.oldest_set > from_at;
  RETURN cardinality(v_made);
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
