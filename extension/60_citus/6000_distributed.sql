-- Whether this database runs pgflow on Citus: pgflow.runs is a Citus
-- distributed table (pgflow.distribute() made it one). The hot path asks it
-- where single-node and Citus differ (idempotency keys, claims). Without the
-- citus extension it is one catalog probe; Citus' catalogs are read through
-- EXECUTE because they exist only where Citus is installed.
CREATE OR REPLACE FUNCTION pgflow._distributed()
RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_distributed boolean;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e WHERE e.extname = 'citus') THEN
    RETURN false;
  END IF;
  PERFORM 'PRAGMA:DISABLE:CHECK';  -- Citus' catalogs and functions exist only where Citus is installed
  EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = ''pgflow.runs''::regclass)'
     INTO v_distributed;
  PERFORM 'PRAGMA:ENABLE:CHECK';
  RETURN v_distributed;
END;
$$;

-- Whether Citus knows the table (distributed, reference or local in its
-- metadata) / the function is a distributed function with a distribution
-- argument. For pgflow.distribute(), which may run again after an update.
CREATE OR REPLACE FUNCTION pgflow._citus_table(relation regclass)
RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_known boolean;
BEGIN
  -- @plpgsql_check_options: without_warnings = true
  -- (its statements on Citus' catalogs and shards are dynamic SQL, which plpgsql_check cannot see into)
  PERFORM 'PRAGMA:DISABLE:CHECK';  -- Citus' catalogs and functions exist only where Citus is installed
  EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = $1)' INTO v_known USING relation;
  PERFORM 'PRAGMA:ENABLE:CHECK';
  RETURN v_known;
END;
$$;

CREATE OR REPLACE FUNCTION pgflow._citus_function(function oid)
RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_known boolean;
BEGIN
  -- @plpgsql_check_options: without_warnings = true
  -- (its statements on Citus' catalogs and shards are dynamic SQL, which plpgsql_check cannot see into)
  PERFORM 'PRAGMA:DISABLE:CHECK';  -- Citus' catalogs and functions exist only where Citus is installed
  EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_object WHERE classid = ''pg_proc''::regclass AND objid = $1 '
          'AND distribution_argument_index IS NOT NULL)' INTO v_known USING function;
  PERFORM 'PRAGMA:ENABLE:CHECK';
  RETURN v_known;
END;
$$;
