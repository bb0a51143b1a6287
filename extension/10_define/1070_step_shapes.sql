-- The steps of every stored version of the given flows, with what version
-- routing compares (dependencies and fan-out). For workers, which may not read
-- the definition tables: a worker claims only the steps its code serves, and
-- never a signal step (it has no task).
CREATE OR REPLACE FUNCTION pgflow.step_shapes(flow_slugs text[])
RETURNS TABLE (flow_slug text, flow_version int, step_slug text, fan_out boolean, deps text[], signal boolean)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT s.flow_slug, s.flow_version, s.step_slug, s.fan_out,
         coalesce((SELECT array_agg(d.dep_slug ORDER BY d.dep_slug) FROM pgflow.deps AS d
                    WHERE d.flow_slug = s.flow_slug AND d.flow_version = s.flow_version
                      AND d.step_slug = s.step_slug), '{}'),
         s.signal
    FROM pgflow.steps AS s
   WHERE s.flow_slug = ANY (step_shapes.flow_slugs)
   ORDER BY s.flow_slug, s.flow_version, s.step_index;
END;
$$;
