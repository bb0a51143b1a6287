-- prune's trees: the given top-level runs (finished, locked by the caller)
-- with all their descendant child runs, leaving out every tree in which some
-- run is still started or locked by someone else (a late report in flight):
-- a tree is pruned whole or not at all, so no child is left without its
-- parent, and no parent loses the record of a child. Descendants are locked
-- SKIP LOCKED, never waited for.
CREATE OR REPLACE FUNCTION pgflow._prunable_trees(roots uuid[])
RETURNS uuid[]
LANGUAGE plpgsql AS $$
DECLARE
  v_tree record;
  v_runs uuid[] := '{}'::uuid[];
  v_locked int;
BEGIN
  FOR v_tree IN
    WITH RECURSIVE tree(root, run_id, finished) AS (
      SELECT r.run_id, r.run_id, true FROM unnest(roots) AS r(run_id)
      UNION ALL
      SELECT t.root, c.run_id, c.status <> 'started'
        FROM tree AS t JOIN pgflow.runs AS c ON c.parent_run_id = t.run_id)
    SELECT t.root, array_agg(t.run_id) AS members, bool_and(t.finished) AS finished
      FROM tree AS t GROUP BY t.root
  LOOP
    CONTINUE WHEN NOT v_tree.finished;
    PERFORM 1 FROM pgflow.runs AS r WHERE r.run_id = ANY (v_tree.members) AND r.run_id <> v_tree.root
        FOR UPDATE SKIP LOCKED;
    GET DIAGNOSTICS v_locked = ROW_COUNT;
    CONTINUE WHEN v_locked < cardinality(v_tree.members) - 1;
    v_runs := v_runs || v_tree.members;
  END LOOP;
  RETURN v_runs;
END;
$$;
