-- After the conversion, what named a run-keyed table by its oid names its
-- DEFAULT partition (the old table, renamed): functions whose arguments or
-- result are a table's row type (start_flow RETURNS pgflow.runs) and views
-- (queue_stats). Each is made again on the parent: a function dropped and
-- created from its definition with the parent's row type, keeping its owner,
-- privileges, comment and extension membership; a view replaced. Bodies name
-- tables by name and need nothing.
CREATE OR REPLACE FUNCTION pgflow._repoint_to_parents(defaults regclass[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$  -- (the catalog's definitions then name pgflow's tables in full)
DECLARE
  v_types oid[] := ARRAY(SELECT c.reltype FROM pg_catalog.pg_class AS c WHERE c.oid = ANY (defaults));
  v_pattern text := '\mpgflow\.(' || (SELECT string_agg(regexp_replace(c.relname, '_default$', ''), '|')
                                        FROM pg_catalog.pg_class AS c WHERE c.oid = ANY (defaults)) || ')_default\M';
  v_function record;
  v_view record;
  v_new regprocedure;
  v_grant record;
  v_member boolean := EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e WHERE e.extname = 'pgflow');
BEGIN
  -- @plpgsql_check_options: security_warnings = false
  -- (functions and views made again from their own definitions in the catalog)
  FOR v_function IN
    SELECT p.oid, p.oid::regprocedure::text AS signature, p.proowner::regrole AS owner, p.proacl,
           obj_description(p.oid, 'pg_proc') AS comment, pg_get_functiondef(p.oid) AS definition
      FROM pg_catalog.pg_proc AS p
     WHERE p.pronamespace = 'pgflow'::regnamespace
       AND (p.prorettype = ANY (v_types) OR p.proargtypes::oid[] && v_types
            OR coalesce(p.proallargtypes, '{}') && v_types)
     ORDER BY p.proname, p.oid
  LOOP
    IF v_member THEN
      EXECUTE format('ALTER EXTENSION pgflow DROP FUNCTION %s', v_function.signature);
    END IF;
    EXECUTE format('DROP FUNCTION %s', v_function.signature);
    -- The header (up to the body) names the row types; the body is left as it is.
    EXECUTE regexp_replace(split_part(v_function.definition, E'\nAS ', 1), v_pattern, 'pgflow.\1', 'g')
            || E'\nAS ' || substr(v_function.definition, length(split_part(v_function.definition, E'\nAS ', 1)) + 5);
    v_new := regexp_replace(v_function.signature, v_pattern, 'pgflow.\1', 'g')::regprocedure;
    EXECUTE format('ALTER FUNCTION %s OWNER TO %s', v_new, v_function.owner);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', v_new);
    FOR v_grant IN SELECT g.grantee FROM aclexplode(v_function.proacl) AS g WHERE g.grantee <> v_function.owner::oid LOOP
      EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %s', v_new,
                     CASE WHEN v_grant.grantee = 0 THEN 'PUBLIC' ELSE v_grant.grantee::regrole::text END);
    END LOOP;
    EXECUTE format('COMMENT ON FUNCTION %s IS %L', v_new, v_function.comment);
    IF v_member THEN
      EXECUTE format('ALTER EXTENSION pgflow ADD FUNCTION %s', v_new);
    END IF;
  END LOOP;
  FOR v_view IN
    SELECT DISTINCT r.ev_class::regclass AS view
      FROM pg_catalog.pg_depend AS d JOIN pg_catalog.pg_rewrite AS r ON r.oid = d.objid
     WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refobjid = ANY (defaults) AND r.ev_class <> d.refobjid
  LOOP
    EXECUTE format('CREATE OR REPLACE VIEW %s AS %s', v_view.view,
                   regexp_replace(pg_get_viewdef(v_view.view), v_pattern, 'pgflow.\1', 'g'));
  END LOOP;
END;
$$;
