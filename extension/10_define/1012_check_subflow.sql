-- Validates a step's subflow option (add_step and define_flow, after
-- _check_step): the step runs a run of the named flow instead of a task, so the
-- flow must exist, the step has at most one dependency (whose output is the
-- child's input), and the options only a worker's claim honours (timeout, the
-- limits) are refused: a child's work is limited by its own flow's options. A
-- flow naming itself is the shortest cycle of subflows (_check_subflow_cycles
-- reports the longer ones).
CREATE OR REPLACE FUNCTION pgflow._check_subflow(
  flow_slug text, step_slug text, deps text[], subflow text,
  timeout int, max_concurrency int, rate_limit int, limit_key text, signal boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_step text := format('subflow step "%s" of flow "%s"', step_slug, flow_slug);
  v_option text;
BEGIN
  IF subflow IS NULL THEN
    RETURN;
  END IF;
  IF subflow = flow_slug THEN
    RAISE EXCEPTION 'flow "%" would run itself through subflows: % -> %', flow_slug, flow_slug, flow_slug
      USING ERRCODE = '42P17', DETAIL = format('Step "%s" names its own flow as its subflow.', step_slug),
            HINT = 'A subflow step runs another flow; a flow cannot include itself.';
  END IF;
  IF signal THEN
    RAISE EXCEPTION '% cannot be a signal step too', v_step
      USING ERRCODE = '22023',
            DETAIL = 'A signal step completes with the payload of send_signal, a subflow step with its child run''s output.',
            HINT = 'Make them two steps: the signal step first, the subflow step depending on it.';
  END IF;
  PERFORM pgflow._check_slug('flow', subflow);
  IF NOT EXISTS (SELECT 1 FROM pgflow.flows AS f WHERE f.flow_slug = _check_subflow.subflow) THEN
    RAISE EXCEPTION '% names flow "%", which does not exist', v_step, subflow
      USING ERRCODE = '42704',
            HINT = 'Define the child flow first (the Python client deploys a parent''s subflows before it).';
  END IF;
  IF cardinality(deps) > 1 THEN
    RAISE EXCEPTION '% must have at most one dependency, it has % (%)', v_step, cardinality(deps),
      pgflow._excerpt(array_to_string(deps, ', '), 400)
      USING ERRCODE = '42P17',
            DETAIL = 'The child run''s input is the output of the dependency (the parent run''s input without one).',
            HINT = 'Add a step that combines the outputs into one value and make the subflow step depend on it.';
  END IF;
  v_option := CASE WHEN timeout IS NOT NULL THEN 'timeout'
                   WHEN max_concurrency IS NOT NULL THEN 'max_concurrency'
                   WHEN rate_limit IS NOT NULL THEN 'rate_limit'
                   WHEN limit_key IS NOT NULL THEN 'limit_key' END;
  IF v_option IS NOT NULL THEN
    RAISE EXCEPTION '% cannot set %: no worker claims it', v_step, v_option
      USING ERRCODE = '22023',
            DETAIL = 'A subflow step is started and completed by its child run; workers claim the child''s steps.',
            HINT = format('Set %s on the steps (or the flow) of "%s" instead.', v_option, subflow);
  END IF;
END;
$$;
