-- The flow input of a run, for workers: fan-out task inputs do not carry it (it
-- would be N copies), so a handler that asks for it gets it once per run.
CREATE OR REPLACE FUNCTION pgflow.run_input(run_id uuid)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_input jsonb;
BEGIN
  PERFORM pgflow._check_flow_grant(run_id);
  SELECT r.input INTO v_input FROM pgflow.runs AS r WHERE r.run_id = run_input.run_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'run % does not exist', coalesce(run_id::text, 'null') USING ERRCODE = 'P0002';
  END IF;
  RETURN v_input;
END;
$$;
