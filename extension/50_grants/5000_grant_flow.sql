-- Lets the sessions of a role work on one flow (all its versions): claim its
-- tasks, report on them, extend their leases and read its runs' inputs. Once a
-- role holds a grant, its sessions work on its granted flows only (see
-- _granted_flows for which role is checked). Idempotent: granting twice keeps
-- the first grant. Admins only.
CREATE OR REPLACE FUNCTION pgflow.grant_flow(flow_slug text, role_name text)
RETURNS pgflow.flow_grants
LANGUAGE plpgsql AS $$
DECLARE
  v_grant pgflow.flow_grants;
BEGIN
  PERFORM pgflow._check_slug('flow', flow_slug);
  IF NOT EXISTS (SELECT 1 FROM pgflow.flow_locks AS l WHERE l.flow_slug = grant_flow.flow_slug) THEN
    RAISE EXCEPTION 'flow "%" does not exist', flow_slug
      USING ERRCODE = 'P0002', HINT = 'Define the flow first, then grant it.';
  END IF;
  IF role_name IS NULL OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS r WHERE r.rolname = grant_flow.role_name) THEN
    RAISE EXCEPTION 'role "%" does not exist, so flow "%" cannot be granted to it',
      pgflow._excerpt(coalesce(role_name, 'null')), flow_slug
      USING ERRCODE = '42704', HINT = 'Create the role first (CREATE ROLE ... LOGIN IN ROLE pgflow_worker).';
  END IF;
  INSERT INTO pgflow.flow_grants AS g (flow_slug, role_name)
  VALUES (grant_flow.flow_slug, grant_flow.role_name)
  ON CONFLICT ON CONSTRAINT flow_grants_pkey DO NOTHING;
  SELECT g.* INTO STRICT v_grant FROM pgflow.flow_grants AS g
   WHERE g.flow_slug = grant_flow.flow_slug AND g.role_name = grant_flow.role_name;
  RETURN v_grant;
END;
$$;
