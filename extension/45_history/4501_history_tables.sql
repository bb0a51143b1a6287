-- The run-keyed tables (every pgflow table with a run_id column, partitions
-- aside), runs first, then by name: the order partition_history converts them
-- in and the order prune locks them in (see 0000_tables.sql).
CREATE OR REPLACE FUNCTION pgflow._history_tables()
RETURNS regclass[]
LANGUAGE sql STABLE AS $$
  SELECT array_agg(c.oid::regclass ORDER BY c.relname <> 'runs', c.relname)
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attname = 'run_id' AND NOT a.attisdropped
   WHERE c.relnamespace = 'pgflow'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
$$;

-- Their names, in that order.
CREATE OR REPLACE FUNCTION pgflow._history_table_names()
RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT array_agg(c.relname::text ORDER BY t.i)
    FROM unnest(pgflow._history_tables()) WITH ORDINALITY AS t(relation, i)
    JOIN pg_catalog.pg_class AS c ON c.oid = t.relation
$$;

-- A partition set's name: each table's partition in the set is the table's
-- name followed by this, _p<YYYYMMDD>t<HHMI> (UTC) of the set's first instant.
CREATE OR REPLACE FUNCTION pgflow._history_set_suffix(from_at timestamptz)
RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT '_p' || to_char(from_at AT TIME ZONE 'UTC', 'YYYYMMDD"t"HH24MI')
$$;

-- The start of the set that holds `at`: sets are aligned to whole intervals
-- since 2000-01-01 UTC.
CREATE OR REPLACE FUNCTION pgflow._history_set_start(at timestamptz, partition_interval interval)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT date_bin(partition_interval, at, timestamptz '2000-01-01 00:00:00+00')
$$;
