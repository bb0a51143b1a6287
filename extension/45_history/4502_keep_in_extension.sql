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

-- The privileges `source` grants (beyond its owner's), granted on `target` too:
-- a new parent gets the old table's, a new partition its parent's, so readers
-- read them alike.
CREATE OR REPLACE FUNCTION pgflow._grant_as(source regclass, target regclass)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_grant record;
BEGIN
  -- @plpgsql_check_options: security_warnings = false
  -- (a privilege's name from aclexplode cannot be quoted: it is a keyword)
  FOR v_grant IN
    SELECT g.privilege_type, g.grantee FROM pg_catalog.pg_class AS c, aclexplode(c.relacl) AS g
     WHERE c.oid = source AND g.grantee <> c.relowner
  LOOP
    EXECUTE format('GRANT %s ON %s TO %s', v_grant.privilege_type, target,
                   CASE WHEN v_grant.grantee = 0 THEN 'PUBLIC' ELSE v_grant.grantee::regrole::text END);
  END LOOP;
END;
$$;
