-- The stored definition of a flow version (the latest when version is NULL), as a
-- define_flow document: define_flow(flow_definition(x)) changes nothing. The
-- Python client diffs it against code (`pgflow check`).
CREATE OR REPLACE FUNCTION pgflow.flow_definition(flow_slug text, version int DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_flow pgflow.flows;
BEGIN
  SELECT f.* INTO v_flow FROM pgflow.flows AS f
   WHERE f.flow_slug = flow_definition.flow_slug
     AND (flow_definition.version IS NULL OR f.version = flow_definition.version)
   ORDER BY f.version DESC LIMIT 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'flow "%"% does not exist', pgflow._excerpt(flow_slug),
      CASE WHEN version IS NULL THEN '' ELSE format(' version %s', version) END
      USING ERRCODE = 'P0002', HINT = 'Define it with pgflow.define_flow or pgflow.create_flow.';
  END IF;
  RETURN jsonb_build_object(
    'slug', v_flow.flow_slug,
    'max_attempts', v_flow.max_attempts,
    'base_delay', v_flow.base_delay,
    'timeout', v_flow.timeout,
    'max_concurrency', v_flow.max_concurrency,
    'max_output_bytes', v_flow.max_output_bytes,
    'rate_limit', v_flow.rate_limit,
    'rate_period', v_flow.rate_period,
    'limit_key', v_flow.limit_key,
    'steps', coalesce((
      SELECT jsonb_agg(jsonb_build_object(
               'slug', s.step_slug,
               'deps', coalesce((SELECT jsonb_agg(d.dep_slug ORDER BY d.dep_slug) FROM pgflow.deps AS d
                                  WHERE d.flow_slug = s.flow_slug AND d.flow_version = s.flow_version
                                    AND d.step_slug = s.step_slug), '[]'),
               'fan_out', s.fan_out,
               'max_attempts', s.max_attempts,
               'base_delay', s.base_delay,
               'timeout', s.timeout,
               'delay_seconds', s.delay_seconds,
               'max_concurrency', s.max_concurrency,
               'max_output_bytes', s.max_output_bytes,
               'rate_limit', s.rate_limit,
               'rate_period', s.rate_period,
               'limit_key', s.limit_key,
               'run_if', s.run_if,
               'run_unless', s.run_unless,
               'when_unmet', s.when_unmet,
               'when_exhausted', s.when_exhausted,
               'signal', s.signal,
               'signal_timeout', s.signal_timeout,
               'subflow', s.subflow) ORDER BY s.step_index)
        FROM pgflow.steps AS s
       WHERE s.flow_slug = v_flow.flow_slug AND s.flow_version = v_flow.version), '[]'));
END;
$$;
