-- Starts many runs of a flow in one call and one transaction: one run per element
-- of `inputs` (a JSON array of flow inputs), returned in that order. For bulk
-- starts (a backfill, a batch of orders) where one start_flow transaction per run
-- would be bound by the commit rate. All or nothing: a bad input rolls back all.
-- Linear in the number of inputs whatever the statistics say: the runs are
-- inserted in one statement, then all their step states in one statement, and
-- only then do the roots start, run by run (_start_steps, as start_flow does).
-- Why: each inserted row's foreign-key check (step_states to runs, step_tasks to
-- step_states) and each statement of _start_steps runs a plan that the session
-- caches; a plan made while a table was small is a sequential scan, reused for
-- every later row, which made a loop over start_flow quadratic (10,000 runs of a
-- 4-step flow: 97 s on a database analyzed while small, 125 s in a session that
-- had started a few runs before). So after each bulk insert, a large batch drops
-- the session's cached plans (DISCARD PLANS): they are made again, once, with the
-- batch's rows in place, so every check is an index probe whatever the statistics.
-- traceparent, as start_flow's, is kept with every run of the batch: their
-- attempts are spans of one trace, under the caller's span.
-- Locks: as start_flow, FOR KEY SHARE on the version's flows row.
-- idempotency_keys, when given, has one key (or NULL) per input, in order; a key
-- already used returns that run, as start_flow does (such a batch goes through
-- start_flow input by input, for its race-safe key check). priority and
-- traceparent apply to all.
CREATE OR REPLACE FUNCTION pgflow.start_flows(
  flow_slug text, inputs jsonb, idempotency_keys text[] DEFAULT NULL, priority int DEFAULT 0,
  traceparent text DEFAULT NULL)
RETURNS SETOF pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_input jsonb;
  v_position bigint;
  v_flow pgflow.flows;
  v_step_count bigint;
  v_roots text[];
  v_run_ids uuid[];
  v_run pgflow.runs;
  c_replan_from constant int := 100;  -- inputs; below that a stale plan costs little
BEGIN
  PERFORM pgflow._check_traceparent(traceparent);
  IF jsonb_typeof(inputs) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'inputs of flow "%" must be a JSON array of flow inputs, got %', pgflow._excerpt(flow_slug),
      coalesce(jsonb_typeof(inputs), 'null')
      USING ERRCODE = '22023', HINT = 'e.g. pgflow.start_flows(''my_flow'', ''[{"id": 1}, {"id": 2}]'')';
  END IF;
  IF idempotency_keys IS NOT NULL AND coalesce(cardinality(idempotency_keys), 0) <> jsonb_array_length(inputs) THEN
    RAISE EXCEPTION 'start_flows of flow "%" got % inputs but % idempotency keys', pgflow._excerpt(flow_slug),
      jsonb_array_length(inputs), coalesce(cardinality(idempotency_keys), 0)
      USING ERRCODE = '22023', HINT = 'Give one key per input, in the same order (NULL for none), or leave them out.';
  END IF;
  IF priority IS NULL THEN
    RAISE EXCEPTION 'priority of the runs of flow "%" must not be null', pgflow._excerpt(flow_slug)
      USING ERRCODE = '22023', HINT = 'Leave it out for the default, 0; higher runs first.';
  END IF;
  SELECT f.* INTO v_flow FROM pgflow.flows AS f
   WHERE f.flow_slug = start_flows.flow_slug ORDER BY f.version DESC LIMIT 1 FOR KEY SHARE;
  SELECT count(*) INTO v_step_count FROM pgflow.steps AS s
   WHERE s.flow_slug = v_flow.flow_slug AND s.flow_version = v_flow.version;
  IF v_flow.flow_slug IS NULL OR v_step_count = 0 OR idempotency_keys IS NOT NULL THEN
    -- An unknown flow (start_flow says so), one without steps (its runs complete
    -- at once, in start_flow), or keys to check one by one: nothing to batch.
    FOR v_input, v_position IN SELECT e, i FROM jsonb_array_elements(inputs) WITH ORDINALITY AS x(e, i) LOOP
      RETURN NEXT pgflow.start_flow(flow_slug, v_input, NULL, idempotency_keys[v_position], priority,
                                    start_flows.traceparent);
    END LOOP;
    RETURN;
  END IF;

  v_run_ids := ARRAY(SELECT pgflow._time_ordered_uuid(clock_timestamp())
                      FROM generate_series(1, jsonb_array_length(inputs)));
  INSERT INTO pgflow.runs (run_id, flow_slug, flow_version, input, remaining_steps, priority, traceparent)
  SELECT v_run_ids[x.i], v_flow.flow_slug, v_flow.version, x.e, v_step_count, start_flows.priority,
         start_flows.traceparent
    FROM jsonb_array_elements(inputs) WITH ORDINALITY AS x(e, i);
  IF cardinality(v_run_ids) >= c_replan_from THEN
    DISCARD PLANS;
  END IF;
  -- The limit counters of the batch's key values, as start_flow creates a run's.
  INSERT INTO pgflow.limit_counters (flow_slug, step_slug, key_value)
  SELECT DISTINCT l.flow_slug, l.step_slug, coalesce(x.e #>> l.limit_key, '')
    FROM pgflow.flow_limits AS l CROSS JOIN jsonb_array_elements(inputs) AS x(e)
   WHERE l.flow_slug = v_flow.flow_slug AND (l.max_concurrency IS NOT NULL OR l.rate_limit IS NOT NULL)
   ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT limit_counters_pkey DO NOTHING;
  INSERT INTO pgflow.step_states (run_id, step_slug, remaining_deps)
  SELECT u.run_id, s.step_slug, s.deps_count
    FROM unnest(v_run_ids) AS u(run_id)
   CROSS JOIN pgflow.steps AS s
   WHERE s.flow_slug = v_flow.flow_slug AND s.flow_version = v_flow.version;
  IF cardinality(v_run_ids) >= c_replan_from THEN
    DISCARD PLANS;
  END IF;

  v_roots := ARRAY(SELECT s.step_slug FROM pgflow.steps AS s
                    WHERE s.flow_slug = v_flow.flow_slug AND s.flow_version = v_flow.version AND s.deps_count = 0
                    ORDER BY s.step_index);
  FOR v_run IN SELECT r.* FROM unnest(v_run_ids) WITH ORDINALITY AS u(run_id, i)
                 JOIN pgflow.runs AS r ON r.run_id = u.run_id ORDER BY u.i LOOP
    PERFORM pgflow._start_steps(v_run, v_roots);
  END LOOP;
  -- Roots may have been skipped or failed on their conditions: return the runs as they are now.
  RETURN QUERY SELECT r.* FROM unnest(v_run_ids) WITH ORDINALITY AS u(run_id, i)
                 JOIN pgflow.runs AS r ON r.run_id = u.run_id ORDER BY u.i;
END;
$$;
