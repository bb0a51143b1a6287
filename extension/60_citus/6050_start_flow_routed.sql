-- start_flow with the run id first and chosen by the caller: the form of a
-- start that Citus can route. pgflow.distribute() makes it a distributed
-- function by run_id, so the coordinator hands the whole start to the node
-- that will hold the run (one transaction there). start_flow itself is not
-- distributed: its run_id is NULL when left out, and Citus 13.2 crashes the
-- backend that plans a distributed function call whose distribution argument
-- is a NULL constant (see README "Scaling out"); so run_id here is required,
-- and the Python client always passes one (uuid4, or for a keyed start
-- pgflow.idempotent_run_id, which it computes itself). Same semantics as
-- start_flow otherwise; without Citus it is start_flow.
CREATE OR REPLACE FUNCTION pgflow.start_flow_routed(
  run_id uuid, flow_slug text, input jsonb DEFAULT '{}', idempotency_key text DEFAULT NULL, priority int DEFAULT 0,
  traceparent text DEFAULT NULL)
RETURNS pgflow.runs
LANGUAGE plpgsql AS $$
BEGIN
  IF run_id IS NULL THEN
    RAISE EXCEPTION 'start_flow_routed of flow "%" needs a run_id', pgflow._excerpt(flow_slug)
      USING ERRCODE = '22004', HINT = 'Pass one (e.g. gen_random_uuid()), or call pgflow.start_flow, which makes one.';
  END IF;
  RETURN pgflow.start_flow(flow_slug, input, run_id, idempotency_key, priority, traceparent);
END;
$$;
