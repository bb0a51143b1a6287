-- The trace context a run was started in (runs.traceparent), for workers: each
-- attempt is a span under it. Fetched once per run, as run_input is; claim_tasks
-- does not repeat it on every task. NULL: the run was started without one.
CREATE OR REPLACE FUNCTION pgflow.run_traceparent(run_id uuid)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_traceparent text;
BEGIN
  PERFORM pgflow._check_flow_grant(run_id);
  SELECT r.traceparent INTO v_traceparent FROM pgflow.runs AS r WHERE r.run_id = run_traceparent.run_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'run % does not exist', coalesce(run_id::text, 'null') USING ERRCODE = 'P0002';
  END IF;
  RETURN v_traceparent;
END;
$$;
