-- Starts a run of the latest version of a flow: one step_states row per step,
-- then the root steps start (tasks, or skips when their conditions are unmet).
-- Idempotent on run_id: a second call with the same run_id returns the existing
-- run and starts nothing; two concurrent calls make one run (the loser's INSERT
-- waits on the winner's unique index entry, then does nothing).
-- traceparent (W3C Trace Context, checked here) is kept with the run: the
-- worker makes each attempt a span of that trace, under that parent span. The
-- Python client passes its caller's current span. An existing run keeps its own.
-- Locks: FOR KEY SHARE on the flows row, so define_flow cannot replace the
-- version's steps between reading it and creating the step states.
CREATE OR REPLACE FUNCTION pgflow.start_flow(
  flow_slug text, input jsonb DEFAULT '{}', run_id uuid DEFAULT NULL, traceparent text DEFAULT NULL)
RETURNS pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_flow pgflow.flows;
  v_run pgflow.runs;
BEGIN
  PERFORM pgflow._check_traceparent(traceparent);
  IF run_id IS NOT NULL THEN
    SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = start_flow.run_id;
    IF FOUND THEN
      RETURN pgflow._existing_run(v_run, flow_slug);
    END IF;
  END IF;
  SELECT f.* INTO v_flow FROM pgflow.flows AS f
   WHERE f.flow_slug = start_flow.flow_slug ORDER BY f.version DESC LIMIT 1 FOR KEY SHARE;
  IF NOT FOUND THEN
    PERFORM pgflow._check_slug('flow', flow_slug);
    RAISE EXCEPTION 'flow "%" does not exist', flow_slug
      USING ERRCODE = 'P0002', HINT = 'Define it first with pgflow.define_flow or pgflow.create_flow.';
  END IF;

  INSERT INTO pgflow.runs (run_id, flow_slug, flow_version, input, remaining_steps, traceparent)
  SELECT coalesce(start_flow.run_id, gen_random_uuid()), v_flow.flow_slug, v_flow.version,
         coalesce(start_flow.input, '{}'), count(*), start_flow.traceparent
    FROM pgflow.steps AS s
   WHERE s.flow_slug = v_flow.flow_slug AND s.flow_version = v_flow.version
  ON CONFLICT ON CONSTRAINT runs_pkey DO NOTHING
  RETURNING * INTO v_run;
  IF NOT FOUND THEN
    SELECT r.* INTO STRICT v_run FROM pgflow.runs AS r WHERE r.run_id = start_flow.run_id;
    RETURN pgflow._existing_run(v_run, flow_slug);
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
  PERFORM pgflow._start_steps(v_run, ARRAY(
    SELECT s.step_slug FROM pgflow.steps AS s
     WHERE s.flow_slug = v_flow.flow_slug AND s.flow_version = v_flow.version AND s.deps_count = 0
     ORDER BY s.step_index));
  -- Roots may have been skipped or failed on their conditions: return the run as it is now.
  SELECT r.* INTO STRICT v_run FROM pgflow.runs AS r WHERE r.run_id = v_run.run_id;
  RETURN v_run;
END;
$$;
