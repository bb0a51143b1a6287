-- The flows the calling session may work on, or NULL for every flow.
-- Which role: the API functions are SECURITY DEFINER, so current_user inside
-- them is pgflow's owner; the role checked is session_user, the role the
-- session logged in as (SET ROLE does not change it, SET SESSION AUTHORIZATION
-- does). A grant to a role covers every session_user that is a member of it
-- (pg_has_role MEMBER, so group roles work). NULL (no restriction) when no
-- role of the session holds a grant, and for superusers, whom nothing restricts.
CREATE OR REPLACE FUNCTION pgflow._granted_flows()
RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pgflow.flow_grants) THEN
    RETURN NULL;  -- the common case, one index probe
  END IF;
  IF (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.rolname = session_user) THEN
    RETURN NULL;
  END IF;
  RETURN (SELECT array_agg(DISTINCT g.flow_slug ORDER BY g.flow_slug)
            FROM pgflow.flow_grants AS g
            JOIN pg_catalog.pg_roles AS r ON r.rolname = g.role_name
           WHERE pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER'));
END;
$$;
