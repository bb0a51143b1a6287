-- start_flow's answer for a run_id that is already taken: the run itself, unless
-- it belongs to another flow, which means the caller reused an id by mistake.
CREATE OR REPLACE FUNCTION pgflow._existing_run(run pgflow.runs, flow_slug text)
RETURNS pgflow.runs
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF run.flow_slug IS DISTINCT FROM flow_slug THEN
    RAISE EXCEPTION 'run % already exists and belongs to flow "%", not "%"', run.run_id, run.flow_slug, pgflow._excerpt(flow_slug)
      USING ERRCODE = '23505', HINT = 'A run_id identifies one run; use a new one for another flow.';
  END IF;
  RETURN run;
END;
$$;
