-- The input of a (non fan-out) step of a run: {"run": <flow input>, "<dep>": <output>}
-- for every completed dependency; a skipped dependency's key is absent. Built when
-- needed (conditions, claims) rather than stored, so no output is copied per task.
-- plpgsql so its plan is cached per session (a SQL function called from
-- claim_tasks would be planned again on every claim).
CREATE OR REPLACE FUNCTION pgflow._step_input(run_id uuid, flow_slug text, flow_version int, step_slug text, run_input jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_outputs jsonb;
BEGIN
  SELECT jsonb_object_agg(d.dep_slug, ss.output) FILTER (WHERE ss.status = 'completed') INTO v_outputs
    FROM pgflow.deps AS d
    JOIN pgflow.step_states AS ss ON ss.run_id = _step_input.run_id AND ss.step_slug = d.dep_slug
   WHERE d.flow_slug = _step_input.flow_slug AND d.flow_version = _step_input.flow_version
     AND d.step_slug = _step_input.step_slug;
  RETURN jsonb_build_object('run', run_input) || coalesce(v_outputs, '{}');
END;
$$;
