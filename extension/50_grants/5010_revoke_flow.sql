-- Takes back a grant_flow. Returns false when there was no such grant. A role
-- whose last grant is revoked works on every flow again, as before any grant:
-- to shut a role out, revoke pgflow_worker from it. Admins only.
CREATE OR REPLACE FUNCTION pgflow.revoke_flow(flow_slug text, role_name text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM pgflow.flow_grants AS g
   WHERE g.flow_slug = revoke_flow.flow_slug AND g.role_name = revoke_flow.role_name;
  RETURN FOUND;
END;
$$;
