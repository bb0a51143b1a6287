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
CREATE OR REPLACE FUNCTION pgflow.start_flows(flow_slug text, inputs jsonb, traceparent text DEFAULT NULL)
RETURNS SETOF pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_input jsonb;
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
  SELECT f.* INTO v_flow FROM pgflow.flows AS f
   WHERE f.flow_slug = start_flows.flow_slug ORDER BY f.version DESC LIMIT 1 FOR KEY SHARE;
  SELECT count(*) INTO v_step_count FROM pgflow.steps AS s
   WHERE s.flow_slug = v_flow.flow_slug AND s.flow_version = v_flow.version;
  IF v_flow.flow_slug IS NULL OR v_step_count = 0 THEN
    -- An unknown flow (start_flow says so) or one without steps (its runs
    -- complete at once, in start_flow): nothing to batch.
    FOR v_input IN SELECT e FROM jsonb_array_elements(inputs) AS e LOOP
      RETURN NEXT pgflow.start_flow(flow_slug, v_input, traceparent => start_flows.traceparent);
    END LOOP;
    RETURN;
  END IF;

  v_run_ids := ARRAY(SELECT gen_random_uuid() FROM generate_series(1, jsonb_array_length(inputs)));
  INSERT INTO pgflow.runs (run_id, flow_slug, flow_version, input, remaining_steps, traceparent)
  SELECT v_run_ids[x.i], v_flow.flow_slug, v_flow.version, x.e, v_step_count, start_flows.traceparent
    FROM jsonb_array_elements(inputs) WITH ORDINALITY AS x(e, i);
  IF cardinality(v_run_ids) >= c_replan_from THEN
    DISCARD PLANS;
  END IF;
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
