-- Starts many runs of a flow in one call and one transaction: one run per element
-- of `inputs` (a JSON array of flow inputs), returned in that order. For bulk
-- starts (a backfill, a batch of orders) where one start_flow transaction per run
-- would be bound by the commit rate. All or nothing: a bad input rolls back all.
CREATE OR REPLACE FUNCTION pgflow.start_flows(flow_slug text, inputs jsonb)
RETURNS SETOF pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_input jsonb;
BEGIN
  IF jsonb_typeof(inputs) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'inputs of flow "%" must be a JSON array of flow inputs, got %', pgflow._excerpt(flow_slug),
      coalesce(jsonb_typeof(inputs), 'null')
      USING ERRCODE = '22023', HINT = 'e.g. pgflow.start_flows(''my_flow'', ''[{"id": 1}, {"id": 2}]'')';
  END IF;
  FOR v_input IN SELECT e FROM jsonb_array_elements(inputs) AS e LOOP
    RETURN NEXT pgflow.start_flow(flow_slug, v_input);
  END LOOP;
END;
$$;
