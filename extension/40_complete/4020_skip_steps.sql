-- created/started -> skipped for a step, recording why; with cascade, every step
-- downstream of it is skipped too (they are all still 'created': none can start
-- before this one settles). Returns the dependents now ready: with plain skip they
-- run without the skipped step's key in their input.
CREATE OR REPLACE FUNCTION pgflow._skip_steps(run pgflow.runs, step_slug text, reason text, cascade boolean)
RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  v_skipped text[];
  v_downstream text[];
  v_cascade_reason text := format('upstream step "%s" was skipped with skip-cascade: %s', step_slug, reason);
BEGIN
  -- The steps first, then the update: Citus runs a recursive CTE only with a
  -- filter on run_id, and no stable function (format) in a CASE, in a
  -- statement on a distributed table.
  WITH RECURSIVE downstream(slug) AS (
    SELECT _skip_steps.step_slug
    UNION
    SELECT e.step_slug FROM pgflow.deps AS e JOIN downstream AS u ON e.dep_slug = u.slug
     WHERE cascade AND e.flow_slug = run.flow_slug AND e.flow_version = run.flow_version
  )
  SELECT array_agg(d.slug) INTO v_downstream FROM downstream AS d;
  WITH skipped AS (
    UPDATE pgflow.step_states AS ss
       SET status = 'skipped', finished_at = now(),
           skip_reason = CASE WHEN ss.step_slug = _skip_steps.step_slug THEN reason ELSE v_cascade_reason END
     WHERE ss.run_id = run.run_id AND ss.step_slug = ANY (v_downstream)
       AND ss.status IN ('created', 'started')
    RETURNING ss.step_slug)
  SELECT array_agg(s.step_slug) INTO v_skipped FROM skipped AS s;
  RETURN pgflow._settle(run, v_skipped);
END;
$$;
