-- Converts one run-keyed table into a table partitioned by RANGE (run_id),
-- the old table becoming its DEFAULT partition <table>_default, data and all
-- (no partition exists yet, so attaching it scans nothing). The caller holds
-- ACCESS EXCLUSIVE on the table.
-- The parent gets the table's columns, defaults, CHECK constraints, comments,
-- privileges and owner, and its indexes and constraints under their own names
-- (the old ones are renamed <name>_default and attached under them), and its
-- row triggers. A unique
-- index without run_id cannot be unique on a partitioned table: a primary key
-- becomes (run_id, ...), another unique index a plain one (keyed starts and
-- schedule slots stay unique by their locks: start_key_locks, tick). An
-- identity column continues its sequence on the parent.
CREATE OR REPLACE FUNCTION pgflow._partition_history_table(relation regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$  -- (the catalog's definitions then name pgflow's tables in full)
DECLARE
  v_name text := (SELECT c.relname::text FROM pg_catalog.pg_class AS c WHERE c.oid = relation);
  v_owner regrole := (SELECT c.relowner::regrole FROM pg_catalog.pg_class AS c WHERE c.oid = relation);
  v_comment text := obj_description(relation, 'pg_class');
  v_index record;
  v_identity record;
  v_next bigint;
  v_parent_ddl text[] := '{}'::text[];
  v_ddl text;
BEGIN
  -- @plpgsql_check_options: security_warnings = false
  -- (DDL from the catalog's own definitions and names, quoted with %I; no argument reaches it but
  -- instants, as %L literals)
  -- Indexes and constraints as they read now, under the table's own name.
  FOR v_index IN
    SELECT ic.relname, pg_get_indexdef(i.indexrelid) AS indexdef, co.conname, co.contype,
           pg_get_constraintdef(co.oid) AS condef, i.indisunique,
           EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS a
                    WHERE a.attrelid = relation AND a.attname = 'run_id' AND a.attnum = ANY (i.indkey)) AS has_run_id
      FROM pg_catalog.pg_index AS i
      JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
      LEFT JOIN pg_catalog.pg_constraint AS co ON co.conindid = i.indexrelid AND co.conrelid = relation
     WHERE i.indrelid = relation
     ORDER BY ic.relname
  LOOP
    IF v_index.indisunique AND NOT v_index.has_run_id THEN
      IF v_index.conname IS NOT NULL THEN
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', relation, v_index.conname);
      ELSE
        EXECUTE format('DROP INDEX pgflow.%I', v_index.relname);
      END IF;
      v_parent_ddl := v_parent_ddl || CASE
        WHEN v_index.contype = 'p' THEN format('ALTER TABLE pgflow.%I ADD CONSTRAINT %I %s', v_name, v_index.conname,
                                               regexp_replace(v_index.condef, '^PRIMARY KEY \(', 'PRIMARY KEY (run_id, '))
        WHEN v_index.contype = 'u' THEN format('CREATE INDEX %I ON pgflow.%I %s', v_index.conname, v_name,
                                               regexp_replace(v_index.condef, '^UNIQUE ', ''))
        ELSE regexp_replace(v_index.indexdef, '^CREATE UNIQUE INDEX', 'CREATE INDEX') END;
    ELSIF v_index.conname IS NOT NULL THEN
      EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', relation, v_index.conname,
                     left(v_index.conname, 55) || '_default');
      v_parent_ddl := v_parent_ddl || format('ALTER TABLE pgflow.%I ADD CONSTRAINT %I %s', v_name, v_index.conname,
                                             v_index.condef);
    ELSE
      EXECUTE format('ALTER INDEX pgflow.%I RENAME TO %I', v_index.relname, left(v_index.relname, 55) || '_default');
      v_parent_ddl := v_parent_ddl || v_index.indexdef;
    END IF;
  END LOOP;
  -- Row triggers (step_tasks_release_limits) move to the parent, which gives
  -- them to every partition, the old table included.
  v_parent_ddl := v_parent_ddl || ARRAY(
    SELECT pg_get_triggerdef(tg.oid) FROM pg_catalog.pg_trigger AS tg
     WHERE tg.tgrelid = relation AND NOT tg.tgisinternal ORDER BY tg.tgname);
  FOR v_ddl IN SELECT tg.tgname::text FROM pg_catalog.pg_trigger AS tg WHERE tg.tgrelid = relation AND NOT tg.tgisinternal LOOP
    EXECUTE format('DROP TRIGGER %I ON %s', v_ddl, relation);
  END LOOP;
  -- Foreign keys to the definitions (runs -> flows): the parent gets them too,
  -- and attaching adopts the old table's as its partition's. Those to other
  -- run-keyed tables stay on the old table, now the DEFAULT partition, and
  -- each set gets its own (_make_history_set).
  v_parent_ddl := v_parent_ddl || ARRAY(
    SELECT format('ALTER TABLE pgflow.%I ADD CONSTRAINT %I %s', v_name, co.conname, pg_get_constraintdef(co.oid))
      FROM pg_catalog.pg_constraint AS co
     WHERE co.conrelid = relation AND co.contype = 'f'
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS a
                        WHERE a.attrelid = co.confrelid AND a.attname = 'run_id' AND NOT a.attisdropped)
     ORDER BY co.conname);
  SELECT a.attname, a.attidentity, pg_get_serial_sequence(relation::text, a.attname) AS sequence INTO v_identity
    FROM pg_catalog.pg_attribute AS a
   WHERE a.attrelid = relation AND a.attidentity <> '' AND NOT a.attisdropped;
  IF v_identity.attname IS NOT NULL THEN
    EXECUTE format('SELECT CASE WHEN s.is_called THEN s.last_value + 1 ELSE s.last_value END FROM %s AS s',
                   v_identity.sequence) INTO v_next;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e WHERE e.extname = 'pgflow') THEN
      EXECUTE format('ALTER EXTENSION pgflow DROP SEQUENCE %s', v_identity.sequence);
    END IF;
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP IDENTITY', relation, v_identity.attname);
  END IF;

  EXECUTE format('ALTER TABLE %s RENAME TO %I', relation, v_name || '_default');
  EXECUTE format('CREATE TABLE pgflow.%I (LIKE pgflow.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED '
                 'INCLUDING COMMENTS INCLUDING STATISTICS INCLUDING STORAGE INCLUDING COMPRESSION) '
                 'PARTITION BY RANGE (run_id)', v_name, v_name || '_default');
  IF v_identity.attname IS NOT NULL THEN
    EXECUTE format('ALTER TABLE pgflow.%I ALTER COLUMN %I ADD GENERATED %s AS IDENTITY (START WITH %s)', v_name,
                   v_identity.attname, CASE WHEN v_identity.attidentity = 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END,
                   v_next);
  END IF;
  FOREACH v_ddl IN ARRAY v_parent_ddl LOOP
    EXECUTE v_ddl;
  END LOOP;
  EXECUTE format('ALTER TABLE pgflow.%I ATTACH PARTITION pgflow.%I DEFAULT', v_name, v_name || '_default');

  EXECUTE format('ALTER TABLE pgflow.%I OWNER TO %s', v_name, v_owner);
  PERFORM pgflow._grant_as(relation, format('pgflow.%I', v_name)::regclass);
  EXECUTE format('COMMENT ON TABLE pgflow.%I IS %L', v_name, v_comment);
  PERFORM pgflow._keep_in_extension(format('pgflow.%I', v_name)::regclass);
  IF v_identity.attname IS NOT NULL THEN
    PERFORM pgflow._keep_in_extension(pg_get_serial_sequence(format('pgflow.%I', v_name), v_identity.attname)::regclass);
  END IF;
END;
$$;
