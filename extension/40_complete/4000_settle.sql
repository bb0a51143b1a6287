-- Bookkeeping after steps settled (completed or skipped): each dependent has one
-- dependency fewer to wait for, and the run one step fewer; the run completes when
-- none is left, with the outputs of its completed leaf steps as its output.
-- Returns the dependents that are now ready (all dependencies settled), for
-- _start_steps. The only place remaining_deps and remaining_steps change.
CREATE OR REPLACE FUNCTION pgflow._settle(run pgflow.runs, settled text[])
RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  -- now() as a variable where it sits in a CASE or coalesce: in a statement on
  -- a distributed table Citus evaluates no volatile function there.
  v_now timestamptz := now();
  v_ready text[];
  v_remaining int;
BEGIN
  IF pgflow._claim_commit_pending() THEN
    PERFORM pgflow._durable_commit();
  END IF;
  IF coalesce(cardinality(settled), 0) = 0 THEN
    RETURN '{}'::text[];
  END IF;
  WITH released AS (
    UPDATE pgflow.step_states AS ss
       SET remaining_deps = ss.remaining_deps - d.settled_deps
      FROM (SELECT e.step_slug, count(*)::int AS settled_deps FROM pgflow.deps AS e
             WHERE e.flow_slug = run.flow_slug AND e.flow_version = run.flow_version
               AND e.dep_slug = ANY (settled)
             GROUP BY e.step_slug) AS d
     WHERE ss.run_id = run.run_id AND ss.step_slug = d.step_slug
    RETURNING ss.step_slug, ss.remaining_deps, ss.status)
  SELECT coalesce(array_agg(r.step_slug), '{}') INTO v_ready
    FROM released AS r WHERE r.remaining_deps = 0 AND r.status = 'created';

  -- One update of the run row, which completes the run when no step is left
  -- (the output's subquery runs only then).
  UPDATE pgflow.runs AS r
     SET remaining_steps = r.remaining_steps - cardinality(settled),
         status = CASE WHEN r.remaining_steps = cardinality(settled) THEN 'completed' ELSE r.status END,
         finished_at = CASE WHEN r.remaining_steps = cardinality(settled) THEN v_now ELSE r.finished_at END,
         output = CASE WHEN r.remaining_steps = cardinality(settled) THEN
                    (SELECT coalesce(jsonb_object_agg(ss.step_slug, ss.output), '{}')
                       FROM pgflow.step_states AS ss
                      WHERE ss.run_id = run.run_id AND ss.status = 'completed'
                        AND NOT EXISTS (SELECT 1 FROM pgflow.deps AS e
                                         WHERE e.flow_slug = run.flow_slug AND e.flow_version = run.flow_version
                                           AND e.dep_slug = ss.step_slug))
                  ELSE r.output END
   WHERE r.run_id = run.run_id
  RETURNING r.remaining_steps INTO v_remaining;
  IF v_remaining = 0 THEN
    PERFORM pgflow._announce_run_end(run.run_id);
    IF run.parent_run_id IS NOT NULL THEN
      PERFORM pgflow._report_to_parent(run.run_id);  -- a child run completed
    END IF;
  END IF;
  RETURN v_ready;
END;
$$;
