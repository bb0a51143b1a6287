-- Delivers a signal to a signal step of a run, in one transaction:
--   the step waits (started)      -> it completes with payload as its output
--                                    and its dependents start, now;
--   the step is not ready yet     -> the signal is kept (pgflow.signals) and
--                                    applied when it becomes ready; the step's
--                                    row is returned still created;
--   a signal was already received -> ignored with a NOTICE: the first one wins;
--   the step settled otherwise (skipped by its conditions, or its deadline
--   passed), or the run finished  -> ignored with a NOTICE, and not kept.
-- An unknown run, an unknown step, or a step that is not a signal step raises;
-- so does a payload over the step's max_output_bytes (nothing is kept).
-- Locks the run row first, like every writer of a run (lock order:
-- 0000_tables.sql); the signal rows are only written under it, so two signals
-- at once, or a signal and the step becoming ready, are serialized by it.
CREATE OR REPLACE FUNCTION pgflow.send_signal(run_id uuid, step_slug text, payload jsonb DEFAULT 'null')
RETURNS pgflow.step_states
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
  v_step pgflow.steps;
  v_state pgflow.step_states;
  v_payload jsonb := coalesce(payload, 'null');
  v_limit int;
  v_bytes int;
BEGIN
  IF pgflow._claim_commit_pending() THEN
    PERFORM pgflow._durable_commit();
  END IF;
  SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = send_signal.run_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'cannot send signal "%": run % does not exist', pgflow._excerpt(coalesce(step_slug, 'null')),
      coalesce(run_id::text, 'null')
      USING ERRCODE = 'P0002', DETAIL = 'No run has this run_id (it may have been pruned).',
            HINT = 'Pass the run_id that start_flow returned.';
  END IF;
  SELECT s.* INTO v_step FROM pgflow.steps AS s
   WHERE s.flow_slug = v_run.flow_slug AND s.flow_version = v_run.flow_version AND s.step_slug = send_signal.step_slug;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'cannot send signal "%" to run %: flow "%" version % has no step "%"',
      pgflow._excerpt(coalesce(step_slug, 'null')), run_id, v_run.flow_slug, v_run.flow_version,
      pgflow._excerpt(coalesce(step_slug, 'null'))
      USING ERRCODE = 'P0002',
            DETAIL = 'A signal is sent to a step declared with signal => true, by its slug.',
            HINT = format('The signal steps of flow "%s" version %s: %s.', v_run.flow_slug, v_run.flow_version,
              coalesce(nullif(pgflow._excerpt((
                SELECT string_agg(s.step_slug, ', ' ORDER BY s.step_index) FROM pgflow.steps AS s
                 WHERE s.flow_slug = v_run.flow_slug AND s.flow_version = v_run.flow_version AND s.signal), 400), ''),
                'none'));
  END IF;
  IF NOT v_step.signal THEN
    RAISE EXCEPTION 'cannot send signal "%" to run %: step "%" of flow "%" is not a signal step',
      step_slug, run_id, step_slug, v_run.flow_slug
      USING ERRCODE = '42809',
            DETAIL = 'Its tasks are run by workers and reported with complete_task or fail_task.',
            HINT = 'Only steps declared with signal => true ("signal": true in define_flow) take signals.';
  END IF;
  SELECT o.max_output_bytes INTO STRICT v_limit
    FROM pgflow._step_options(v_run.flow_slug, v_run.flow_version, step_slug) AS o;
  v_bytes := octet_length(v_payload::text);
  IF v_bytes > v_limit THEN
    RAISE EXCEPTION 'cannot send signal "%" to run %: its payload is % bytes, over max_output_bytes %',
      step_slug, run_id, v_bytes, v_limit
      USING ERRCODE = '54000', DETAIL = 'The payload becomes the step''s output, which max_output_bytes bounds.',
            HINT = 'Send a smaller payload (a reference to the data, say), or raise the step''s max_output_bytes.';
  END IF;

  SELECT ss.* INTO STRICT v_state FROM pgflow.step_states AS ss
   WHERE ss.run_id = v_run.run_id AND ss.step_slug = send_signal.step_slug;
  IF v_run.status <> 'started' THEN
    RAISE NOTICE 'pgflow: signal "%" to run % ignored: the run is %', step_slug, run_id, v_run.status;
    RETURN v_state;
  END IF;
  IF EXISTS (SELECT 1 FROM pgflow.signals AS g WHERE g.run_id = v_run.run_id AND g.step_slug = send_signal.step_slug) THEN
    RAISE NOTICE 'pgflow: signal "%" to run % ignored: a signal was received first, and the first one wins',
      step_slug, run_id;
    RETURN v_state;
  END IF;
  IF v_state.status NOT IN ('created', 'started') THEN
    RAISE NOTICE 'pgflow: signal "%" to run % ignored: the step is already %', step_slug, run_id,
      v_state.status || coalesce(' (' || coalesce(v_state.skip_reason, v_state.error_message) || ')', '');
    RETURN v_state;
  END IF;

  INSERT INTO pgflow.signals (run_id, step_slug, payload) VALUES (v_run.run_id, send_signal.step_slug, v_payload);
  IF v_state.status = 'started' THEN
    PERFORM pgflow._start_steps(v_run, pgflow._complete_signal_step(v_run, step_slug, v_payload));
    SELECT ss.* INTO STRICT v_state FROM pgflow.step_states AS ss
     WHERE ss.run_id = v_run.run_id AND ss.step_slug = send_signal.step_slug;
  END IF;
  RETURN v_state;
END;
$$;
