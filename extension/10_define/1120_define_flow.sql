-- Defines a whole flow in one call (what the Python client sends):
--   {"slug": "f", "max_attempts": 3, "base_delay": 1, "timeout": 60,
--    "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"], "fan_out": false, ...}]}
-- A step's "subflow" names a flow whose run does its work (_check_subflow;
-- cycles of subflows across flows: _check_subflow_cycles).
-- Steps may come in any order. Everything is validated before anything is
-- written, and an error leaves no rows. Versions:
--   same shape as the latest version -> update tunables in place, create nothing
--                                       (signal_timeout is one: it applies to
--                                       waits that start afterwards);
--   new shape                        -> create version N+1, runs or not.
-- A version number never names two shapes: workers route claims by step keys
-- (flow_slug/version/step_slug, see claim_tasks), so a worker whose code serves
-- version N's shape must never be handed a step of another shape under N. A
-- version left without runs stays, unused (start_flow takes the latest), and is
-- never rewritten, so a start_flow in flight on it keeps a consistent shape.
-- Locks: the flow's flow_locks row (_lock_flow) serializes definitions of one
-- flow; start_flow is not waited for (it holds FOR KEY SHARE on the version it
-- reads, and neither a tunables update nor a new version conflicts with that).
CREATE OR REPLACE FUNCTION pgflow.define_flow(definition jsonb)
RETURNS pgflow.flows
LANGUAGE plpgsql AS $$
DECLARE
  c_flow_keys constant text[] := ARRAY['slug', 'max_attempts', 'base_delay', 'timeout',
                                       'max_concurrency', 'max_output_bytes', 'rate_limit', 'rate_period',
                                       'limit_key', 'steps'];
  c_step_keys constant text[] := ARRAY['slug', 'deps', 'max_attempts', 'base_delay', 'timeout',
                                       'delay_seconds', 'fan_out', 'run_if', 'run_unless',
                                       'when_unmet', 'when_exhausted', 'max_concurrency',
                                       'max_output_bytes', 'rate_limit', 'rate_period', 'limit_key',
                                       'signal', 'signal_timeout', 'subflow'];
  v_slug text;
  v_what text;
  v_max_attempts int;
  v_base_delay int;
  v_timeout int;
  v_max_concurrency int;
  v_max_output_bytes int;
  v_rate_limit int;
  v_rate_period int;
  v_limit_key text;
  v_element jsonb;
  v_position bigint;
  v_step_slug text;
  v_slugs text[] := '{}'::text[];
  v_unknown text;
  v_steps jsonb;
  v_order text[];
  v_latest pgflow.flows;
  v_flow pgflow.flows;
  v_version int;
BEGIN
  IF definition IS NULL OR jsonb_typeof(definition) <> 'object' THEN
    RAISE EXCEPTION 'flow definition must be a JSON object, got %', coalesce(jsonb_typeof(definition), 'null')
      USING ERRCODE = '22023', HINT = 'e.g. {"slug": "my_flow", "steps": [{"slug": "a"}]}';
  END IF;
  v_slug := pgflow._json_field(definition, 'slug', 'string', 'flow definition') #>> '{}';
  IF v_slug IS NULL THEN
    RAISE EXCEPTION 'flow definition has no "slug"' USING ERRCODE = '22023',
      HINT = 'e.g. {"slug": "my_flow", "steps": [{"slug": "a"}]}';
  END IF;
  PERFORM pgflow._check_slug('flow', v_slug);
  v_what := format('flow "%s"', v_slug);
  SELECT pgflow._excerpt(string_agg(format('"%s"', pgflow._excerpt(k)), ', '), 400) INTO v_unknown
    FROM jsonb_object_keys(definition) AS k WHERE k <> ALL (c_flow_keys);
  IF v_unknown IS NOT NULL THEN
    RAISE EXCEPTION 'unknown key % in the definition of %', v_unknown, v_what
      USING ERRCODE = '22023', HINT = 'Allowed keys: ' || array_to_string(c_flow_keys, ', ') || '.';
  END IF;
  v_max_attempts := coalesce(pgflow._json_field(definition, 'max_attempts', 'integer', v_what)::int, 3);
  v_base_delay := coalesce(pgflow._json_field(definition, 'base_delay', 'integer', v_what)::int, 1);
  v_timeout := coalesce(pgflow._json_field(definition, 'timeout', 'integer', v_what)::int, 60);
  v_max_concurrency := pgflow._json_field(definition, 'max_concurrency', 'integer', v_what)::int;
  v_max_output_bytes := coalesce(pgflow._json_field(definition, 'max_output_bytes', 'integer', v_what)::int, 1048576);
  v_rate_limit := pgflow._json_field(definition, 'rate_limit', 'integer', v_what)::int;
  v_rate_period := pgflow._json_field(definition, 'rate_period', 'integer', v_what)::int;
  v_limit_key := pgflow._json_field(definition, 'limit_key', 'string', v_what) #>> '{}';
  PERFORM pgflow._check_options(v_what, v_max_attempts, v_base_delay, v_timeout, 0,
                                v_max_concurrency, v_max_output_bytes, v_rate_limit, v_rate_period, v_limit_key);
  IF jsonb_typeof(definition -> 'steps') IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION '"steps" of % must be an array, got %', v_what,
      coalesce(jsonb_typeof(definition -> 'steps'), 'nothing')
      USING ERRCODE = '22023', HINT = 'e.g. "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]';
  END IF;

  -- Pass 1: each element is a step object with a known set of keys and a unique slug.
  FOR v_element, v_position IN
    SELECT e, i FROM jsonb_array_elements(definition -> 'steps') WITH ORDINALITY AS x(e, i)
  LOOP
    IF jsonb_typeof(v_element) <> 'object' THEN
      RAISE EXCEPTION 'step #% of % must be a JSON object, got %', v_position, v_what, jsonb_typeof(v_element)
        USING ERRCODE = '22023';
    END IF;
    v_step_slug := pgflow._json_field(v_element, 'slug', 'string', format('step #%s of %s', v_position, v_what)) #>> '{}';
    IF v_step_slug IS NULL THEN
      RAISE EXCEPTION 'step #% of % has no "slug"', v_position, v_what USING ERRCODE = '22023';
    END IF;
    PERFORM pgflow._check_slug('step', v_step_slug, v_slug);
    SELECT pgflow._excerpt(string_agg(format('"%s"', pgflow._excerpt(k)), ', '), 400) INTO v_unknown
      FROM jsonb_object_keys(v_element) AS k WHERE k <> ALL (c_step_keys);
    IF v_unknown IS NOT NULL THEN
      RAISE EXCEPTION 'unknown key % in step "%" of %', v_unknown, v_step_slug, v_what
        USING ERRCODE = '22023', HINT = 'Allowed keys: ' || array_to_string(c_step_keys, ', ') || '.';
    END IF;
    IF v_step_slug = ANY (v_slugs) THEN
      RAISE EXCEPTION 'duplicate step "%" in %', v_step_slug, v_what
        USING ERRCODE = '42710', HINT = 'Step slugs are unique within a flow.';
    END IF;
    v_slugs := v_slugs || v_step_slug;
  END LOOP;

  -- Pass 2: types, options, dependencies and conditions of every step.
  FOR v_element IN SELECT e FROM jsonb_array_elements(definition -> 'steps') AS e LOOP
    v_step_slug := v_element ->> 'slug';
    v_what := format('step "%s" of flow "%s"', v_step_slug, v_slug);
    PERFORM pgflow._check_step(
      v_slug, v_step_slug,
      ARRAY(SELECT jsonb_array_elements_text(coalesce(pgflow._json_field(v_element, 'deps', 'string array', v_what), '[]'))),
      v_slugs,
      pgflow._json_field(v_element, 'max_attempts', 'integer', v_what)::int,
      pgflow._json_field(v_element, 'base_delay', 'integer', v_what)::int,
      pgflow._json_field(v_element, 'timeout', 'integer', v_what)::int,
      coalesce(pgflow._json_field(v_element, 'delay_seconds', 'integer', v_what)::int, 0),
      coalesce(pgflow._json_field(v_element, 'fan_out', 'boolean', v_what)::boolean, false),
      pgflow._json_field(v_element, 'run_if', 'object', v_what),
      pgflow._json_field(v_element, 'run_unless', 'object', v_what),
      coalesce(pgflow._json_field(v_element, 'when_unmet', 'string', v_what) #>> '{}', 'skip'),
      coalesce(pgflow._json_field(v_element, 'when_exhausted', 'string', v_what) #>> '{}', 'fail'),
      pgflow._json_field(v_element, 'max_concurrency', 'integer', v_what)::int,
      pgflow._json_field(v_element, 'max_output_bytes', 'integer', v_what)::int,
      pgflow._json_field(v_element, 'rate_limit', 'integer', v_what)::int,
      pgflow._json_field(v_element, 'rate_period', 'integer', v_what)::int,
      pgflow._json_field(v_element, 'limit_key', 'string', v_what) #>> '{}',
      coalesce(pgflow._json_field(v_element, 'signal', 'boolean', v_what)::boolean, false),
      pgflow._json_field(v_element, 'signal_timeout', 'integer', v_what)::int);
    PERFORM pgflow._check_subflow(
      v_slug, v_step_slug,
      ARRAY(SELECT jsonb_array_elements_text(coalesce(nullif(v_element -> 'deps', 'null'), '[]'))),
      pgflow._json_field(v_element, 'subflow', 'string', v_what) #>> '{}',
      (v_element ->> 'timeout')::numeric::int, (v_element ->> 'max_concurrency')::numeric::int,
      (v_element ->> 'rate_limit')::numeric::int, v_element ->> 'limit_key',
      coalesce((v_element ->> 'signal')::boolean, false));
  END LOOP;
  -- Subflows across flows (before this flow's lock: lock order, 0000_tables.sql).
  PERFORM pgflow._check_subflow_cycles(v_slug, ARRAY(
    SELECT DISTINCT e ->> 'subflow' FROM jsonb_array_elements(definition -> 'steps') AS e
     WHERE jsonb_typeof(e -> 'subflow') = 'string'));

  -- Normalize to flow_definition's form, so shapes compare equal whatever the input order.
  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'slug', e ->> 'slug',
           'deps', coalesce((SELECT jsonb_agg(d ORDER BY d)
                               FROM jsonb_array_elements_text(coalesce(nullif(e -> 'deps', 'null'), '[]')) AS d), '[]'),
           'fan_out', coalesce((e ->> 'fan_out')::boolean, false),
           'max_attempts', (e ->> 'max_attempts')::numeric::int,
           'base_delay', (e ->> 'base_delay')::numeric::int,
           'timeout', (e ->> 'timeout')::numeric::int,
           'delay_seconds', coalesce((e ->> 'delay_seconds')::numeric::int, 0),
           'max_concurrency', (e ->> 'max_concurrency')::numeric::int,
           'max_output_bytes', (e ->> 'max_output_bytes')::numeric::int,
           'rate_limit', (e ->> 'rate_limit')::numeric::int,
           'rate_period', (e ->> 'rate_period')::numeric::int,
           'limit_key', e ->> 'limit_key',
           'run_if', nullif(e -> 'run_if', 'null'),
           'run_unless', nullif(e -> 'run_unless', 'null'),
           'when_unmet', coalesce(e ->> 'when_unmet', 'skip'),
           'when_exhausted', coalesce(e ->> 'when_exhausted', 'fail'),
           'signal', coalesce((e ->> 'signal')::boolean, false),
           'signal_timeout', (e ->> 'signal_timeout')::numeric::int,
           'subflow', e ->> 'subflow') ORDER BY i), '[]')
    INTO v_steps
    FROM jsonb_array_elements(definition -> 'steps') WITH ORDINALITY AS x(e, i);

  SELECT pgflow._topological_order(v_slug, v_slugs,
           coalesce(array_agg(e ->> 'slug'), '{}'), coalesce(array_agg(d), '{}'))
    INTO v_order
    FROM jsonb_array_elements(v_steps) AS e, jsonb_array_elements_text(e -> 'deps') AS d;

  PERFORM pgflow._lock_flow(v_slug);
  SELECT f.* INTO v_latest FROM pgflow.flows AS f
   WHERE f.flow_slug = v_slug ORDER BY f.version DESC LIMIT 1;

  IF FOUND AND pgflow._shape(pgflow.flow_definition(v_slug, v_latest.version) -> 'steps') = pgflow._shape(v_steps) THEN
    -- Same shape: only tunables may differ, and they apply from the next claim.
    UPDATE pgflow.flows AS f
       SET max_attempts = v_max_attempts, base_delay = v_base_delay, timeout = v_timeout,
           max_concurrency = v_max_concurrency, max_output_bytes = v_max_output_bytes,
           rate_limit = v_rate_limit, rate_period = v_rate_period, limit_key = v_limit_key
     WHERE f.flow_slug = v_slug AND f.version = v_latest.version
       AND (f.max_attempts, f.base_delay, f.timeout, f.max_concurrency, f.max_output_bytes,
            f.rate_limit, f.rate_period, f.limit_key)
           IS DISTINCT FROM (v_max_attempts, v_base_delay, v_timeout, v_max_concurrency, v_max_output_bytes,
                             v_rate_limit, v_rate_period, v_limit_key);
    UPDATE pgflow.steps AS s
       SET max_attempts = (e ->> 'max_attempts')::int, base_delay = (e ->> 'base_delay')::int,
           timeout = (e ->> 'timeout')::int, delay_seconds = (e ->> 'delay_seconds')::int,
           max_concurrency = (e ->> 'max_concurrency')::int, max_output_bytes = (e ->> 'max_output_bytes')::int,
           rate_limit = (e ->> 'rate_limit')::int, rate_period = (e ->> 'rate_period')::int,
           limit_key = e ->> 'limit_key', signal_timeout = (e ->> 'signal_timeout')::int
      FROM jsonb_array_elements(v_steps) AS e
     WHERE s.flow_slug = v_slug AND s.flow_version = v_latest.version AND s.step_slug = e ->> 'slug'
       AND (s.max_attempts, s.base_delay, s.timeout, s.delay_seconds, s.max_concurrency, s.max_output_bytes,
            s.rate_limit, s.rate_period, s.limit_key, s.signal_timeout)
           IS DISTINCT FROM ((e ->> 'max_attempts')::int, (e ->> 'base_delay')::int,
                             (e ->> 'timeout')::int, (e ->> 'delay_seconds')::int,
                             (e ->> 'max_concurrency')::int, (e ->> 'max_output_bytes')::int,
                             (e ->> 'rate_limit')::int, (e ->> 'rate_period')::int, e ->> 'limit_key',
                             (e ->> 'signal_timeout')::int);
    PERFORM pgflow._sync_limits(v_slug);
    SELECT f.* INTO STRICT v_flow FROM pgflow.flows AS f WHERE f.flow_slug = v_slug AND f.version = v_latest.version;
    RETURN v_flow;
  END IF;

  v_version := coalesce(v_latest.version + 1, 1);
  INSERT INTO pgflow.flows (flow_slug, version, max_attempts, base_delay, timeout, max_concurrency, max_output_bytes,
                            rate_limit, rate_period, limit_key)
  VALUES (v_slug, v_version, v_max_attempts, v_base_delay, v_timeout, v_max_concurrency, v_max_output_bytes,
          v_rate_limit, v_rate_period, v_limit_key)
  RETURNING * INTO v_flow;

  INSERT INTO pgflow.steps (flow_slug, flow_version, step_slug, step_index, deps_count, fan_out,
                            max_attempts, base_delay, timeout, delay_seconds, run_if, run_unless,
                            when_unmet, when_exhausted, max_concurrency, max_output_bytes,
                            rate_limit, rate_period, limit_key, signal, signal_timeout, subflow)
  SELECT v_flow.flow_slug, v_flow.version, e ->> 'slug', o.i - 1, jsonb_array_length(e -> 'deps'),
         (e ->> 'fan_out')::boolean, (e ->> 'max_attempts')::int, (e ->> 'base_delay')::int,
         (e ->> 'timeout')::int, (e ->> 'delay_seconds')::int, nullif(e -> 'run_if', 'null'),
         nullif(e -> 'run_unless', 'null'), e ->> 'when_unmet', e ->> 'when_exhausted',
         (e ->> 'max_concurrency')::int, (e ->> 'max_output_bytes')::int,
         (e ->> 'rate_limit')::int, (e ->> 'rate_period')::int, e ->> 'limit_key',
         (e ->> 'signal')::boolean, (e ->> 'signal_timeout')::int, e ->> 'subflow'
    FROM jsonb_array_elements(v_steps) AS e
    JOIN unnest(v_order) WITH ORDINALITY AS o(slug, i) ON o.slug = e ->> 'slug';
  INSERT INTO pgflow.deps (flow_slug, flow_version, step_slug, dep_slug)
  SELECT v_flow.flow_slug, v_flow.version, e ->> 'slug', d
    FROM jsonb_array_elements(v_steps) AS e, jsonb_array_elements_text(e -> 'deps') AS d;
  PERFORM pgflow._sync_limits(v_slug);
  -- Workers route claims by version shape: tell them to re-read it.
  PERFORM pg_notify('pgflow_definitions', v_flow.flow_slug);
  RETURN v_flow;
END;
$$;
