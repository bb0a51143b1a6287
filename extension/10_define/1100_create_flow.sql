-- Creates version 1 of a flow with no steps; add_step adds them. Idempotent: for
-- an existing slug it returns the latest version unchanged (options are changed
-- with define_flow, which also handles versions). max_output_bytes NULL means
-- the extension's default, 1 MiB.
CREATE OR REPLACE FUNCTION pgflow.create_flow(
  flow_slug text, max_attempts int DEFAULT 3, base_delay int DEFAULT 1, timeout int DEFAULT 60,
  max_concurrency int DEFAULT NULL, max_output_bytes int DEFAULT NULL,
  rate_limit int DEFAULT NULL, rate_period int DEFAULT NULL, limit_key text DEFAULT NULL)
RETURNS pgflow.flows
LANGUAGE plpgsql AS $$
DECLARE
  v_flow pgflow.flows;
BEGIN
  PERFORM pgflow._check_slug('flow', flow_slug);
  IF max_attempts IS NULL OR base_delay IS NULL OR timeout IS NULL THEN
    RAISE EXCEPTION 'max_attempts, base_delay and timeout of flow "%" must not be null', flow_slug
      USING ERRCODE = '22023', HINT = 'Leave them out to get the defaults 3, 1 and 60.';
  END IF;
  PERFORM pgflow._check_options(format('flow "%s"', flow_slug), max_attempts, base_delay, timeout, 0,
                                max_concurrency, max_output_bytes, rate_limit, rate_period, limit_key);
  PERFORM pgflow._lock_flow(flow_slug);

  SELECT f.* INTO v_flow FROM pgflow.flows AS f
   WHERE f.flow_slug = create_flow.flow_slug ORDER BY f.version DESC LIMIT 1;
  IF FOUND THEN
    IF (v_flow.max_attempts, v_flow.base_delay, v_flow.timeout, v_flow.max_concurrency, v_flow.max_output_bytes,
        v_flow.rate_limit, v_flow.rate_period, v_flow.limit_key)
       IS DISTINCT FROM (create_flow.max_attempts, create_flow.base_delay, create_flow.timeout,
                         create_flow.max_concurrency, coalesce(create_flow.max_output_bytes, v_flow.max_output_bytes),
                         create_flow.rate_limit, create_flow.rate_period, create_flow.limit_key) THEN
      RAISE NOTICE 'flow "%" already exists; its options were left unchanged', flow_slug
        USING HINT = 'Change options with pgflow.define_flow.';
    END IF;
    RETURN v_flow;
  END IF;
  INSERT INTO pgflow.flows (flow_slug, version, max_attempts, base_delay, timeout, max_concurrency, max_output_bytes,
                            rate_limit, rate_period, limit_key)
  VALUES (create_flow.flow_slug, 1, create_flow.max_attempts, create_flow.base_delay, create_flow.timeout,
          create_flow.max_concurrency, coalesce(create_flow.max_output_bytes, 1048576),
          create_flow.rate_limit, create_flow.rate_period, create_flow.limit_key)
  RETURNING * INTO v_flow;
  PERFORM pgflow._sync_limits(v_flow.flow_slug);
  RETURN v_flow;
END;
$$;
