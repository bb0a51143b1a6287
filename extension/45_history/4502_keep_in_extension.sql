-- A table (or sequence) made after the install belongs to the extension and is
-- marked as configuration (all rows), as 95_backup marks the install's own, so
-- pg_dump dumps its rows and no DDL (CREATE EXTENSION makes the tables).
-- pg_extension_config_dump works only inside an extension script, hence the
-- catalog update (superuser). Installed as plain objects: nothing to do.
CREATE OR REPLACE FUNCTION pgflow._keep_in_extension(relation regclass)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_kind "char" := (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid = relation);
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e WHERE e.extname = 'pgflow') THEN
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = relation AND d.deptype = 'e') THEN
    EXECUTE format('ALTER EXTENSION pgflow ADD %s %s', CASE WHEN v_kind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                   relation);
  END IF;
  UPDATE pg_catalog.pg_extension AS e
     SET extconfig = array_append(e.extconfig, relation::oid), extcondition = array_append(e.extcondition, '')
   WHERE e.extname = 'pgflow' AND NOT relation::oid = ANY (coalesce(e.extconfig, '{}'));
END;
$$;
