-- Starts many runs of a flow in one call and one transaction: one run per element
-- of `inputs` (a JSON array of flow inputs), returned in that order. For bulk
-- starts (a backfill, a batch of orders) where one start_flow transaction per run
-- would be bound by the commit rate. All or nothing: a bad input rolls back all.
-- idempotency_keys, when given, has one key (or NULL) per input, in order; a key
-- already used returns that run, as start_flow does. priority applies to all.
CREATE OR REPLACE FUNCTION pgflow.start_flows(
  flow_slug text, inputs jsonb, idempotency_keys text[] DEFAULT NULL, priority int DEFAULT 0)
RETURNS SETOF pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_input jsonb;
  v_position bigint;
BEGIN
  IF jsonb_typeof(inputs) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'inputs of flow "%" must be a JSON array of flow inputs, got %', flow_slug,
      coalesce(jsonb_typeof(inputs), 'null')
      USING ERRCODE = '22023', HINT = 'e.g. pgflow.start_flows(''my_flow'', ''[{"id": 1}, {"id": 2}]'')';
  END IF;
  IF idempotency_keys IS NOT NULL AND coalesce(cardinality(idempotency_keys), 0) <> jsonb_array_length(inputs) THEN
    RAISE EXCEPTION 'start_flows of flow "%" got % inputs but % idempotency keys', flow_slug,
      jsonb_array_length(inputs), coalesce(cardinality(idempotency_keys), 0)
      USING ERRCODE = '22023', HINT = 'Give one key per input, in the same order (NULL for none), or leave them out.';
  END IF;
  FOR v_input, v_position IN SELECT e, i FROM jsonb_array_elements(inputs) WITH ORDINALITY AS x(e, i) LOOP
    RETURN NEXT pgflow.start_flow(flow_slug, v_input, NULL, idempotency_keys[v_position], priority);
  END LOOP;
END;
$$;
