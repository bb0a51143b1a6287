-- Starts a run of the latest version of a flow: one step_states row per step,
-- then the root steps start (tasks, or skips when their conditions are unmet).
-- Idempotent on run_id: a second call with the same run_id returns the existing
-- run and starts nothing; two concurrent calls make one run (the loser's INSERT
-- waits on the winner's unique index entry, then does nothing).
-- Idempotent on idempotency_key too: a second start of the same flow with the
-- same key returns the existing run, whatever its status, and ignores its input;
-- the unique index runs_idempotency_key_idx makes two racing starts one run
-- (with partitioned history, where it cannot be unique, the key's row in
-- start_key_locks does).
-- On Citus (pgflow.distribute()) the key's run id is pgflow.idempotent_run_id,
-- and the run_id primary key makes racing starts one run (_keyed_run_id).
-- priority: claimable tasks of higher-priority runs are claimed first.
-- traceparent (W3C Trace Context, checked here) is kept with the run: the
-- worker makes each attempt a span of that trace, under that parent span. The
-- Python client passes its caller's current span. An existing run keeps its own.
-- Locks: FOR KEY SHARE on the flows row, so define_flow cannot replace the
-- version's steps between reading it and creating the step states.
CREATE OR REPLACE FUNCTION pgflow.start_flow(
  flow_slug text, input jsonb DEFAULT '{}', run_id uuid DEFAULT NULL,
  idempotency_key text DEFAULT NULL, priority int DEFAULT 0, traceparent text DEFAULT NULL)
RETURNS pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_flow pgflow.flows;
  v_run pgflow.runs;
  v_distributed boolean := false;  -- read only for keyed starts
  v_roots text[];
BEGIN
  PERFORM pgflow._check_traceparent(traceparent);
  IF idempotency_key IS NOT NULL THEN
    v_distributed := pgflow._distributed();
    IF v_distributed THEN
      run_id := pgflow._keyed_run_id(flow_slug, idempotency_key, run_id);
    END IF;
  END IF;
  IF run_id IS NOT NULL THEN
    SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = start_flow.run_id;
    IF FOUND THEN
      RETURN pgflow._existing_run(v_run, flow_slug);
    END IF;
  END IF;
  -- (On Citus the run_id is the key's, looked up above.)
  IF idempotency_key IS NOT NULL AND NOT v_distributed THEN
    -- Partitioned history has no unique index over keys: the key's bucket row
    -- serializes its starts (start_key_locks; no rows, nothing to lock, without).
    PERFORM 1 FROM pgflow.start_key_locks AS b
     WHERE b.bucket = hashtext(start_flow.flow_slug || E'\x1f' || start_flow.idempotency_key) & 1023
       FOR NO KEY UPDATE;
    SELECT r.* INTO v_run FROM pgflow.runs AS r
     WHERE r.flow_slug = start_flow.flow_slug AND r.idempotency_key = start_flow.idempotency_key;
    IF FOUND THEN
      RETURN v_run;
    END IF;
  END IF;
  IF priority IS NULL THEN
    RAISE EXCEPTION 'priority of a run of flow "%" must not be null', flow_slug
      USING ERRCODE = '22023', HINT = 'Leave it out for the default, 0; higher runs first.';
  END IF;
  SELECT f.* INTO v_flow FROM pgflow.flows AS f
   WHERE f.flow_slug = start_flow.flow_slug ORDER BY f.version DESC LIMIT 1 FOR KEY SHARE;
  IF NOT FOUND THEN
    PERFORM pgflow._check_slug('flow', flow_slug);
    RAISE EXCEPTION 'flow "%" does not exist', flow_slug
      USING ERRCODE = 'P0002', HINT = 'Define it first with pgflow.define_flow or pgflow.create_flow.';
  END IF;

  -- No conflict target: a taken run_id and a taken idempotency key both mean
  -- "started already" (after waiting for a racing start to commit).
  INSERT INTO pgflow.runs (run_id, flow_slug, flow_version, input, remaining_steps, priority, idempotency_key,
                           traceparent)
  SELECT coalesce(start_flow.run_id, pgflow._time_ordered_uuid(clock_timestamp())), v_flow.flow_slug, v_flow.version,
         coalesce(start_flow.input, '{}'), count(*), start_flow.priority, start_flow.idempotency_key,
         start_flow.traceparent
    FROM pgflow.steps AS s
   WHERE s.flow_slug = v_flow.flow_slug AND s.flow_version = v_flow.version
  ON CONFLICT DO NOTHING
  RETURNING * INTO v_run;
  IF NOT FOUND THEN
    SELECT r.* INTO v_run FROM pgflow.runs AS r
     WHERE r.flow_slug = start_flow.flow_slug AND r.idempotency_key = start_flow.idempotency_key
       AND NOT v_distributed;
    IF FOUND THEN
      RETURN v_run;
    END IF;
    SELECT r.* INTO STRICT v_run FROM pgflow.runs AS r WHERE r.run_id = start_flow.run_id;
    RETURN pgflow._existing_run(v_run, flow_slug);
  END IF;

  -- The counters of the limits over this run's tasks exist before any claim
  -- needs them, so claims only lock them (see _open_limit). Two starts with a
  -- new key value wait for each other here, not claims.
  -- (Probed first: most flows have no limit, and on Citus, which has none,
  -- the counters are node-local tables a run's node must not write.)
  IF EXISTS (SELECT 1 FROM pgflow.flow_limits AS l
              WHERE l.flow_slug = v_run.flow_slug AND (l.max_concurrency IS NOT NULL OR l.rate_limit IS NOT NULL)) THEN
    INSERT INTO pgflow.limit_counters (flow_slug, step_slug, key_value)
    SELECT l.flow_slug, l.step_slug, coalesce(v_run.input #>> l.limit_key, '')
      FROM pgflow.flow_limits AS l
     WHERE l.flow_slug = v_run.flow_slug AND (l.max_concurrency IS NOT NULL OR l.rate_limit IS NOT NULL)
     ORDER BY l.step_slug
    ON CONFLICT ON CONSTRAINT limit_counters_pkey DO NOTHING;
  END IF;

  INSERT INTO pgflow.step_states (run_id, step_slug, remaining_deps)
  SELECT v_run.run_id, s.step_slug, s.deps_count
    FROM pgflow.steps AS s
   WHERE s.flow_slug = v_flow.flow_slug AND s.flow_version = v_flow.version;

  IF v_run.remaining_steps = 0 THEN
    UPDATE pgflow.runs AS r SET status = 'completed', output = '{}', finished_at = now()
     WHERE r.run_id = v_run.run_id RETURNING * INTO v_run;
    RETURN v_run;
  END IF;
  -- The roots read first, not in the call's argument (on Citus a function in a
  -- statement over its tables runs inside that statement, where it may not query).
  v_roots := ARRAY(SELECT s.step_slug FROM pgflow.steps AS s
                    WHERE s.flow_slug = v_flow.flow_slug AND s.flow_version = v_flow.version AND s.deps_count = 0
                    ORDER BY s.step_index);
  PERFORM pgflow._start_steps(v_run, v_roots);
  -- Roots may have been skipped or failed on their conditions: return the run as it is now.
  SELECT r.* INTO STRICT v_run FROM pgflow.runs AS r WHERE r.run_id = v_run.run_id;
  RETURN v_run;
END;
$$;
