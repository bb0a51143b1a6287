-- Raises 42501 when the calling session holds flow grants and none covers the
-- flow of the given run (see _granted_flows). Called first by every worker call
-- that names a run: complete_task, complete_tasks, fail_task, extend_lease and
-- run_input. An unknown run passes: the caller says that it does not exist.
CREATE OR REPLACE FUNCTION pgflow._check_flow_grant(run_id uuid)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_granted text[] := pgflow._granted_flows();
  v_flow_slug text;
BEGIN
  IF v_granted IS NULL THEN
    RETURN;
  END IF;
  SELECT r.flow_slug INTO v_flow_slug FROM pgflow.runs AS r WHERE r.run_id = _check_flow_grant.run_id;
  IF FOUND AND NOT v_flow_slug = ANY (v_granted) THEN
    RAISE EXCEPTION 'role "%" may not work on flow "%" (run %)', session_user, v_flow_slug, run_id
      USING ERRCODE = '42501',
            DETAIL = format('Role "%s" holds grants for the flows: %s.', session_user, array_to_string(v_granted, ', ')),
            HINT = format('An admin can allow it: SELECT pgflow.grant_flow(%L, %L);', v_flow_slug, session_user);
  END IF;
END;
$$;
