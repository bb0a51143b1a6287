-- Opt-in: keeps history in time partitions, so prune drops whole partitions
-- instead of deleting rows (no dead tuples, no index bloat, no vacuum debt on
-- the hottest tables). The run-keyed tables (runs, step_states, step_tasks and
-- the rest: _history_tables) are partitioned by RANGE (run_id); run ids are
-- UUIDv7, so each set of partitions (one per table) holds the runs started in
-- one partition_interval, with all their rows, and a lookup by run id reads one
-- partition. What is there already stays in each table's DEFAULT partition
-- (<table>_default), which prune empties by deletes as it ages; so do runs
-- whose id a caller chose outside the sets. tick makes the sets `premake`
-- intervals ahead; prune drops a set once its interval is older than the
-- cut-off and every run in it finished before the cut-off (_prune_history_sets).
-- Superuser only (it changes the extension's tables), and the extension's owner
-- must be a superuser too (tick makes partitions as that owner). Not on Citus.
-- Locks every run-keyed table ACCESS EXCLUSIVE until commit: claims wait for it.
-- Returns the number of partition sets made. The interval trades claim speed
-- (claims read every partition's claim index: fewer sets, faster claims) for
-- how finely prune cuts (a set goes once all of it is older than the cut-off):
-- weekly by default; make bench (8) and (14) measure daily and weekly sets. Once only: there is no way back
-- but a dump, and a restore into a fresh install before partitioning.
-- Backups: dump with pg_dump --load-via-partition-root (README).
CREATE OR REPLACE FUNCTION pgflow.partition_history(partition_interval interval DEFAULT '7 days', premake int DEFAULT 2)
RETURNS int
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = session_user) THEN
    RAISE EXCEPTION 'partition_history needs a superuser: % is not one', session_user
      USING ERRCODE = '42501', HINT = 'It changes pgflow''s tables; run it as the superuser that installed pgflow.';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_roles AS r ON r.oid = e.extowner
              WHERE e.extname = 'pgflow' AND NOT r.rolsuper) THEN
    RAISE EXCEPTION 'partition_history needs pgflow''s owner to be a superuser'
      USING ERRCODE = '42501', HINT = 'tick makes the partitions ahead as the owner: ALTER EXTENSION cannot change it; reinstall pgflow as a superuser.';
  END IF;
  IF pgflow._distributed() THEN
    RAISE EXCEPTION 'partitioned history is not supported on Citus'
      USING ERRCODE = '0A000',
            DETAIL = 'Citus distributes the run-keyed tables by run_id over its nodes; their shards are plain tables.',
            HINT = 'Prune by deletes there: pgflow.prune(older_than).';
  END IF;
  IF EXISTS (SELECT 1 FROM pgflow.history_layout) THEN
    RAISE EXCEPTION 'history is partitioned already (every %)',
      (SELECT l.partition_interval FROM pgflow.history_layout AS l)
      USING ERRCODE = '55000', HINT = 'SELECT * FROM pgflow.history_layout shows the layout.';
  END IF;
  IF partition_interval IS NULL OR partition_interval < interval '1 hour' OR partition_interval > interval '366 days'
     OR extract(year FROM partition_interval) <> 0 OR extract(month FROM partition_interval) <> 0 THEN
    RAISE EXCEPTION 'partition_interval must be between 1 hour and 366 days, in days, hours or minutes; got %',
      coalesce(partition_interval::text, 'null')
      USING ERRCODE = '22023', HINT = 'e.g. pgflow.partition_history(interval ''1 day''); months vary in length, use ''30 days''.';
  END IF;
  IF premake IS NULL OR premake < 1 OR premake > 366 THEN
    RAISE EXCEPTION 'premake must be between 1 and 366 intervals, got %', coalesce(premake::text, 'null')
      USING ERRCODE = '22023', HINT = 'How many intervals ahead tick keeps partitions made; the default is 2.';
  END IF;
  INSERT INTO pgflow.history_layout (partition_interval, premake)
  VALUES (partition_history.partition_interval, partition_history.premake);
  RETURN (SELECT count(*)::int FROM pg_catalog.pg_inherits AS i WHERE i.inhparent = 'pgflow.runs'::regclass) - 1;
END;
$$;
