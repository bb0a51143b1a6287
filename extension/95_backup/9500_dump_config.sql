-- Backups: pg_dump leaves an extension's tables out unless they are marked as
-- configuration, so every pgflow table and sequence is marked (all rows), and
-- a dump restores definitions, runs in flight and history. Marked by a loop
-- over the schema, so a table added later cannot be forgotten. pg_dump loads
-- the marked tables in foreign-key order. Installed as plain objects (no
-- extension), the tables are dumped like any others and nothing is marked.
DO $dump$
DECLARE
  v_relation regclass;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e WHERE e.extname = 'pgflow') THEN
    RETURN;
  END IF;
  FOR v_relation IN
    SELECT c.oid::regclass FROM pg_class AS c
     WHERE c.relnamespace = 'pgflow'::regnamespace AND c.relkind IN ('r', 'S', 'p')
     ORDER BY c.relname
  LOOP
    -- start_key_locks' rows are made by the history conversion, a restore's too.
    PERFORM pg_catalog.pg_extension_config_dump(
      v_relation, CASE WHEN v_relation = 'pgflow.start_key_locks'::regclass THEN 'WHERE false' ELSE '' END);
  END LOOP;
END
$dump$;
