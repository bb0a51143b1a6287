-- Validates one step definition against the slugs it may depend on (known_slugs):
-- slug, options, dependencies, fan-out arity, conditions and signals. Shared by add_step and
-- define_flow so both paths reject exactly the same things with the same messages.
-- Graph-wide checks (duplicates, cycles) belong to the callers.
CREATE OR REPLACE FUNCTION pgflow._check_step(
  flow_slug text, step_slug text, deps text[], known_slugs text[],
  max_attempts int, base_delay int, timeout int, delay_seconds int,
  fan_out boolean, run_if jsonb, run_unless jsonb, when_unmet text, when_exhausted text,
  max_concurrency int DEFAULT NULL, max_output_bytes int DEFAULT NULL,
  rate_limit int DEFAULT NULL, rate_period int DEFAULT NULL, limit_key text DEFAULT NULL,
  signal boolean DEFAULT false, signal_timeout int DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_step text := format('step "%s" of flow "%s"', step_slug, flow_slug);
  v_dep text;
  v_key text;
  v_pattern_name text;
  v_pattern jsonb;
  v_depth int;
BEGIN
  PERFORM pgflow._check_slug('step', step_slug, flow_slug);
  PERFORM pgflow._check_options(v_step, max_attempts, base_delay, timeout, delay_seconds,
                                max_concurrency, max_output_bytes, rate_limit, rate_period, limit_key);

  IF deps IS NULL THEN
    RAISE EXCEPTION 'deps of % must be an array, not null', v_step
      USING ERRCODE = '22023', HINT = 'Use ''{}'' for a root step.';
  END IF;
  FOREACH v_dep IN ARRAY deps LOOP
    IF v_dep IS NULL THEN
      RAISE EXCEPTION '% lists a null dependency', v_step USING ERRCODE = '22023';
    END IF;
    IF v_dep = step_slug THEN
      RAISE EXCEPTION '% depends on itself', v_step
        USING ERRCODE = '42P17', HINT = 'Remove the step from its own deps.';
    END IF;
    IF NOT v_dep = ANY (known_slugs) THEN
      RAISE EXCEPTION '% depends on unknown step "%"', v_step, pgflow._excerpt(v_dep)
        USING ERRCODE = '42704',
              DETAIL = format('Steps of flow "%s": %s.', flow_slug,
                              coalesce(nullif(pgflow._excerpt(array_to_string(known_slugs, ', '), 400), ''), 'none')),
              HINT = 'Define the dependency first, or fix the slug.';
    END IF;
  END LOOP;
  IF cardinality(deps) <> cardinality(ARRAY(SELECT DISTINCT unnest(deps))) THEN
    RAISE EXCEPTION '% lists a dependency more than once: %', v_step, pgflow._excerpt(array_to_string(deps, ', '), 400)
      USING ERRCODE = '22023';
  END IF;

  IF fan_out IS NULL THEN
    RAISE EXCEPTION 'fan_out of % must be true or false, not null', v_step USING ERRCODE = '22023';
  END IF;
  IF fan_out AND cardinality(deps) <> 1 THEN
    RAISE EXCEPTION 'fan-out % must have exactly one dependency, it has %', v_step, cardinality(deps)
      USING ERRCODE = '42P17',
            DETAIL = 'A fan-out step runs one task per element of its dependency''s array output.',
            HINT = 'Add a step that combines the outputs into one array and fan out over it.';
  END IF;

  IF signal IS NULL THEN
    RAISE EXCEPTION 'signal of % must be true or false, not null', v_step USING ERRCODE = '22023';
  END IF;
  IF signal THEN
    -- A signal step has no task: the options that shape tasks mean nothing for
    -- it, and accepting them would suggest they do.
    v_key := concat_ws(', ',
      CASE WHEN fan_out THEN 'fan_out' END, CASE WHEN max_attempts IS NOT NULL THEN 'max_attempts' END,
      CASE WHEN base_delay IS NOT NULL THEN 'base_delay' END, CASE WHEN timeout IS NOT NULL THEN 'timeout' END,
      CASE WHEN delay_seconds <> 0 THEN 'delay_seconds' END,
      CASE WHEN max_concurrency IS NOT NULL THEN 'max_concurrency' END,
      CASE WHEN rate_limit IS NOT NULL OR rate_period IS NOT NULL THEN 'rate_limit' END,
      CASE WHEN limit_key IS NOT NULL THEN 'limit_key' END);
    IF v_key <> '' THEN
      RAISE EXCEPTION 'signal % cannot have %', v_step, v_key
        USING ERRCODE = '42P17',
              DETAIL = 'A signal step has no task for workers: it waits for pgflow.send_signal, whose payload is its output.',
              HINT = 'Remove those options, or make it a step with a handler (signal => false).';
    END IF;
    IF signal_timeout IS NOT NULL AND signal_timeout < 1 THEN
      RAISE EXCEPTION 'signal_timeout of % must be at least 1 second, got %', v_step, signal_timeout
        USING ERRCODE = '22023', HINT = 'Leave it NULL to wait for the signal forever.';
    END IF;
  ELSIF signal_timeout IS NOT NULL THEN
    RAISE EXCEPTION 'signal_timeout of % needs signal => true', v_step
      USING ERRCODE = '22023',
            DETAIL = 'Only a signal step waits for a signal; a step with a handler has timeout (its lease).',
            HINT = 'Add signal => true ("signal": true), or remove signal_timeout.';
  END IF;

  IF when_unmet IS NULL OR when_unmet NOT IN ('skip', 'skip-cascade', 'fail') THEN
    RAISE EXCEPTION 'when_unmet of % must be skip, skip-cascade or fail, not %', v_step,
      coalesce('"' || pgflow._excerpt(when_unmet) || '"', 'null') USING ERRCODE = '22023';
  END IF;
  IF when_exhausted IS NULL OR when_exhausted NOT IN ('skip', 'skip-cascade', 'fail') THEN
    RAISE EXCEPTION 'when_exhausted of % must be skip, skip-cascade or fail, not %', v_step,
      coalesce('"' || pgflow._excerpt(when_exhausted) || '"', 'null') USING ERRCODE = '22023';
  END IF;

  FOR v_pattern_name, v_pattern IN VALUES ('run_if', run_if), ('run_unless', run_unless) LOOP
    CONTINUE WHEN v_pattern IS NULL;
    IF jsonb_typeof(v_pattern) <> 'object' THEN
      RAISE EXCEPTION '% of % must be a JSON object, not %', v_pattern_name, v_step, jsonb_typeof(v_pattern)
        USING ERRCODE = '22023',
              HINT = format('Match against the step input, e.g. {"run": {"userIsVIP": true}}.');
    END IF;
    FOR v_key IN SELECT jsonb_object_keys(v_pattern) LOOP
      IF v_key <> 'run' AND NOT v_key = ANY (deps) THEN
        RAISE EXCEPTION '% of % refers to "%", which is not in its input', v_pattern_name, v_step, pgflow._excerpt(v_key)
          USING ERRCODE = '22023',
                DETAIL = format('The input of step "%s" has the keys: %s.', step_slug,
                                pgflow._excerpt(array_to_string(array_prepend('run', deps), ', '), 400)),
                HINT = 'A condition matches the step input: "run" (the flow input) and its dependencies.';
      END IF;
    END LOOP;
  END LOOP;
  -- Containment (@>) recurses once per level, so a deep pattern would exhaust the
  -- stack at start_flow, long after the definition was accepted. Measured by a
  -- walk that stops one level past the limit, so it cannot recurse deeply itself.
  FOR v_pattern_name, v_pattern IN VALUES ('run_if', run_if), ('run_unless', run_unless) LOOP
    CONTINUE WHEN v_pattern IS NULL;
    WITH RECURSIVE walk(value, depth) AS (
      SELECT v_pattern, 1
      UNION ALL
      SELECT c.value, w.depth + 1
        FROM walk AS w
       CROSS JOIN LATERAL (
             SELECT o.value FROM jsonb_each(CASE WHEN jsonb_typeof(w.value) = 'object' THEN w.value ELSE '{}' END) AS o
             UNION ALL
             SELECT a.value FROM jsonb_array_elements(CASE WHEN jsonb_typeof(w.value) = 'array' THEN w.value ELSE '[]' END) AS a(value)) AS c
       WHERE w.depth <= 32 AND jsonb_typeof(c.value) IN ('object', 'array'))
    SELECT max(walk.depth) INTO v_depth FROM walk;
    IF v_depth > 32 THEN
      RAISE EXCEPTION '% of % is nested more than 32 levels deep', v_pattern_name, v_step
        USING ERRCODE = '54000', DETAIL = 'A condition pattern may nest objects and arrays at most 32 levels.',
              HINT = 'Match on a shallower part of the input.';
    END IF;
  END LOOP;
  IF run_unless = '{}'::jsonb THEN
    RAISE EXCEPTION '% can never run: run_unless {} is contained in every input', v_step
      USING ERRCODE = '42P17', HINT = 'Remove run_unless, or give it a pattern.';
  END IF;
  IF run_if @> run_unless THEN
    RAISE EXCEPTION '% can never run: run_if % contains run_unless %', v_step, pgflow._excerpt(run_if::text), pgflow._excerpt(run_unless::text)
      USING ERRCODE = '42P17',
            DETAIL = 'Whenever the input contains run_if it also contains run_unless, so one of them is always unmet.',
            HINT = 'Fix one of the two patterns.';
  END IF;
END;
$$;
