-- A step's effective options: what the step sets, else what its flow version
-- sets (options left NULL on a step inherit the flow's). The one place that
-- resolves them; every reader of a step's timeout, attempts, backoff or output
-- limit calls this, so a tunable changed by define_flow applies from the next
-- read everywhere at once. PL/pgSQL, not SQL: on Citus a SQL function over
-- the definition tables (reference tables there) is either inlined into a
-- query Citus does not plan, which then reads the empty local shell tables,
-- or refused ("parameterized queries for SQL functions referencing
-- distributed tables are not supported"); PL/pgSQL's queries are planned by
-- Citus like any other.
CREATE OR REPLACE FUNCTION pgflow._step_options(flow_slug text, flow_version int, step_slug text)
RETURNS TABLE (max_attempts int, base_delay int, timeout int, max_output_bytes int, when_exhausted text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY
  SELECT coalesce(s.max_attempts, f.max_attempts), coalesce(s.base_delay, f.base_delay),
         coalesce(s.timeout, f.timeout), coalesce(s.max_output_bytes, f.max_output_bytes), s.when_exhausted
    FROM pgflow.steps AS s
    JOIN pgflow.flows AS f ON f.flow_slug = s.flow_slug AND f.version = s.flow_version
   WHERE s.flow_slug = _step_options.flow_slug AND s.flow_version = _step_options.flow_version
     AND s.step_slug = _step_options.step_slug;
END;
$$;
