-- Refuses a definition of flow_slug whose subflow steps (naming the flows in
-- subflows) would make flows include each other: a child starts on its flow's
-- latest version, so a path of subflow steps through the latest versions of
-- other flows that comes back to flow_slug would start runs without end. The
-- error names the path, e.g. "a -> b -> a" (a runs b, b runs a).
-- Two definitions could each close half of such a cycle and pass a check that
-- cannot see the other's uncommitted edge: every definition that names a
-- subflow takes the flow_locks table in SHARE ROW EXCLUSIVE mode first, which
-- serializes them (and only them: it does not conflict with the row locks of
-- other definitions or claims; lock order: 0000_tables.sql). The check then
-- reads what the one before committed. Called before _lock_flow.
CREATE OR REPLACE FUNCTION pgflow._check_subflow_cycles(flow_slug text, subflows text[])
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_path text[];
BEGIN
  IF coalesce(cardinality(subflows), 0) = 0 THEN
    RETURN;
  END IF;
  LOCK TABLE pgflow.flow_locks IN SHARE ROW EXCLUSIVE MODE;
  WITH RECURSIVE reach(slug, path) AS (
    SELECT DISTINCT s, ARRAY[_check_subflow_cycles.flow_slug, s] FROM unnest(subflows) AS s
    UNION ALL
    SELECT st.subflow, r.path || st.subflow
      FROM reach AS r
      JOIN pgflow.steps AS st
        ON st.flow_slug = r.slug AND st.subflow IS NOT NULL
       AND st.flow_version = (SELECT max(f.version) FROM pgflow.flows AS f WHERE f.flow_slug = r.slug)
     -- Stop at the flow defined (a cycle), and at a flow seen on this path
     -- (stored definitions have no cycle; this only bounds the walk).
     WHERE r.slug <> _check_subflow_cycles.flow_slug AND NOT st.subflow = ANY (r.path[2:])
  )
  SELECT r.path INTO v_path FROM reach AS r
   WHERE r.slug = _check_subflow_cycles.flow_slug
   ORDER BY cardinality(r.path), r.path LIMIT 1;
  IF v_path IS NOT NULL THEN
    RAISE EXCEPTION 'flow "%" would run itself through subflows: %', flow_slug, array_to_string(v_path, ' -> ')
      USING ERRCODE = '42P17',
            DETAIL = 'Each flow on the path has a subflow step naming the next; a child starts on its flow''s latest version.',
            HINT = 'Remove one of these subflow steps; flows that run each other must form a tree.';
  END IF;
END;
$$;
