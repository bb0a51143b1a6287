-- Appends a step to the latest version of a flow. Dependencies must already
-- exist, so steps are added in dependency order and a cycle can only show up as a
-- redefinition of an existing step, which is refused (critique 1.3). A version
-- with runs is frozen: new shapes go through define_flow, which makes a version.
-- subflow: the step runs a run of that flow instead of a task (_check_subflow,
-- _check_subflow_cycles; see _start_child).
CREATE OR REPLACE FUNCTION pgflow.add_step(
  flow_slug text, step_slug text, deps text[] DEFAULT '{}',
  max_attempts int DEFAULT NULL, base_delay int DEFAULT NULL, timeout int DEFAULT NULL,
  delay_seconds int DEFAULT 0, fan_out boolean DEFAULT false,
  run_if jsonb DEFAULT NULL, run_unless jsonb DEFAULT NULL,
  when_unmet text DEFAULT 'skip', when_exhausted text DEFAULT 'fail',
  max_concurrency int DEFAULT NULL, max_output_bytes int DEFAULT NULL,
  rate_limit int DEFAULT NULL, rate_period int DEFAULT NULL, limit_key text DEFAULT NULL,
  signal boolean DEFAULT false, signal_timeout int DEFAULT NULL, subflow text DEFAULT NULL)
RETURNS pgflow.steps
LANGUAGE plpgsql AS $$
DECLARE
  v_flow pgflow.flows;
  v_known text[];
  v_step pgflow.steps;
  v_cycle text;
BEGIN
  PERFORM pgflow._check_slug('flow', flow_slug);
  IF subflow IS NOT NULL THEN
    PERFORM pgflow._check_subflow(flow_slug, step_slug, coalesce(deps, '{}'), subflow,
                                  timeout, max_concurrency, rate_limit, limit_key, coalesce(signal, false));
    PERFORM pgflow._check_subflow_cycles(flow_slug, ARRAY[subflow]);
  END IF;
  PERFORM pgflow._lock_flow(flow_slug);
  SELECT f.* INTO v_flow FROM pgflow.flows AS f
   WHERE f.flow_slug = add_step.flow_slug ORDER BY f.version DESC LIMIT 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'flow "%" does not exist', flow_slug
      USING ERRCODE = 'P0002', HINT = format('Create it first: SELECT pgflow.create_flow(%L);', flow_slug);
  END IF;
  IF EXISTS (SELECT 1 FROM pgflow.runs AS r
              WHERE r.flow_slug = v_flow.flow_slug AND r.flow_version = v_flow.version) THEN
    RAISE EXCEPTION 'cannot add step "%" to flow "%" version %: the version has runs, so its shape is immutable',
      pgflow._excerpt(step_slug), flow_slug, v_flow.version
      USING ERRCODE = '55000',
            HINT = 'Deploy the new shape with pgflow.define_flow(...): it creates the next version, '
                   'new runs use it and runs in flight finish on theirs.';
  END IF;

  SELECT coalesce(array_agg(s.step_slug ORDER BY s.step_index), '{}') INTO v_known
    FROM pgflow.steps AS s
   WHERE s.flow_slug = v_flow.flow_slug AND s.flow_version = v_flow.version;
  IF step_slug = ANY (v_known) THEN
    -- Would the new edges close a cycle through the existing step? Say so: that is
    -- usually what the caller was doing.
    WITH RECURSIVE upstream(slug, path) AS (
      SELECT d, ARRAY[add_step.step_slug, d] FROM unnest(deps) AS d
      UNION ALL
      SELECT e.dep_slug, u.path || e.dep_slug
        FROM upstream AS u
        JOIN pgflow.deps AS e ON e.flow_slug = v_flow.flow_slug AND e.flow_version = v_flow.version
                             AND e.step_slug = u.slug
       WHERE u.slug <> add_step.step_slug AND cardinality(u.path) <= cardinality(v_known) + 1
    )
    SELECT array_to_string(ARRAY(SELECT p FROM unnest(path) WITH ORDINALITY AS x(p, i) ORDER BY i DESC), ' -> ')
      INTO v_cycle FROM upstream WHERE slug = add_step.step_slug LIMIT 1;
    RAISE EXCEPTION 'step "%" already exists in flow "%"%', step_slug, flow_slug,
      CASE WHEN v_cycle IS NULL THEN ''
           ELSE format('; redefining it with these deps would make a cycle: %s', v_cycle) END
      USING ERRCODE = CASE WHEN v_cycle IS NULL THEN '42710' ELSE '42P17' END,
            HINT = 'Step slugs are unique in a flow version. To change a flow, send its whole new shape to pgflow.define_flow.';
  END IF;

  PERFORM pgflow._check_step(flow_slug, step_slug, deps, v_known, max_attempts, base_delay, timeout,
                             delay_seconds, fan_out, run_if, run_unless, when_unmet, when_exhausted,
                             max_concurrency, max_output_bytes, rate_limit, rate_period, limit_key,
                             signal, signal_timeout);
  INSERT INTO pgflow.steps (flow_slug, flow_version, step_slug, step_index, deps_count, fan_out,
                            max_attempts, base_delay, timeout, delay_seconds, run_if, run_unless,
                            when_unmet, when_exhausted, max_concurrency, max_output_bytes,
                            rate_limit, rate_period, limit_key, signal, signal_timeout, subflow)
  VALUES (v_flow.flow_slug, v_flow.version, add_step.step_slug, cardinality(v_known), cardinality(deps),
          add_step.fan_out, add_step.max_attempts, add_step.base_delay, add_step.timeout,
          add_step.delay_seconds, add_step.run_if, add_step.run_unless, add_step.when_unmet,
          add_step.when_exhausted, add_step.max_concurrency, add_step.max_output_bytes,
          add_step.rate_limit, add_step.rate_period, add_step.limit_key, add_step.signal, add_step.signal_timeout,
          add_step.subflow)
  RETURNING * INTO v_step;
  INSERT INTO pgflow.deps (flow_slug, flow_version, step_slug, dep_slug)
  SELECT v_flow.flow_slug, v_flow.version, add_step.step_slug, d FROM unnest(deps) AS d;
  PERFORM pgflow._sync_limits(v_flow.flow_slug);
  PERFORM pg_notify('pgflow_definitions', v_flow.flow_slug);
  RETURN v_step;
END;
$$;
