-- The parts of the claim index a claim walks: every (flow, step, priority,
-- flow_key, step_key) that has queued tasks, among the flows (flow_slugs) or
-- steps (step_keys, 'flow_slug/version/step_slug': versions then filter the
-- part's tasks) asked for; all flows when both are NULL. Found by skipping
-- through step_tasks_claim_idx from one part to the next (one index probe per
-- part), so the cost is the number of parts, never another part's backlog.
CREATE OR REPLACE FUNCTION pgflow._claim_units(flow_slugs text[], step_keys text[])
RETURNS TABLE (flow_slug text, step_slug text, priority int, flow_key text, step_key text, versions int[])
LANGUAGE plpgsql STABLE ROWS 10 AS $$
#variable_conflict use_column
DECLARE
  v_flow text;
  v_flows text[] := flow_slugs;
  v_step record;
BEGIN
  IF step_keys IS NOT NULL THEN
    FOR v_step IN
      SELECT split_part(k, '/', 1) AS flow_slug, split_part(k, '/', 3) AS step_slug,
             array_agg(DISTINCT split_part(k, '/', 2)::int) AS versions
        FROM unnest(step_keys) AS k
       WHERE k ~ '^[^/]+/[0-9]{1,9}/[^/]+$'
         AND (flow_slugs IS NULL OR split_part(k, '/', 1) = ANY (flow_slugs))
       GROUP BY 1, 2
    LOOP
      RETURN QUERY
      WITH RECURSIVE part AS (
        (SELECT t.priority, t.flow_key, t.step_key FROM pgflow.step_tasks AS t
          WHERE t.status = 'queued' AND t.flow_slug = v_step.flow_slug AND t.step_slug = v_step.step_slug
          ORDER BY t.priority, t.flow_key, t.step_key LIMIT 1)
        UNION ALL
        SELECT n.priority, n.flow_key, n.step_key
          FROM part AS p
          CROSS JOIN LATERAL (
            SELECT t.priority, t.flow_key, t.step_key FROM pgflow.step_tasks AS t
             WHERE t.status = 'queued' AND t.flow_slug = v_step.flow_slug AND t.step_slug = v_step.step_slug
               AND (t.priority, t.flow_key, t.step_key) > (p.priority, p.flow_key, p.step_key)
             ORDER BY t.priority, t.flow_key, t.step_key LIMIT 1) AS n)
      SELECT v_step.flow_slug, v_step.step_slug, p.priority, p.flow_key, p.step_key, v_step.versions FROM part AS p;
    END LOOP;
    RETURN;
  END IF;

  IF v_flows IS NULL THEN
    WITH RECURSIVE flow AS (
      (SELECT t.flow_slug FROM pgflow.step_tasks AS t WHERE t.status = 'queued' ORDER BY t.flow_slug LIMIT 1)
      UNION ALL
      SELECT n.flow_slug
        FROM flow AS f
        CROSS JOIN LATERAL (
          SELECT t.flow_slug FROM pgflow.step_tasks AS t
           WHERE t.status = 'queued' AND t.flow_slug > f.flow_slug
           ORDER BY t.flow_slug LIMIT 1) AS n)
    SELECT coalesce(array_agg(f.flow_slug), '{}') INTO v_flows FROM flow AS f;
  END IF;
  FOREACH v_flow IN ARRAY v_flows LOOP
    RETURN QUERY
    WITH RECURSIVE part AS (
      (SELECT t.step_slug, t.priority, t.flow_key, t.step_key FROM pgflow.step_tasks AS t
        WHERE t.status = 'queued' AND t.flow_slug = v_flow
        ORDER BY t.step_slug, t.priority, t.flow_key, t.step_key LIMIT 1)
      UNION ALL
      SELECT n.step_slug, n.priority, n.flow_key, n.step_key
        FROM part AS p
        CROSS JOIN LATERAL (
          SELECT t.step_slug, t.priority, t.flow_key, t.step_key FROM pgflow.step_tasks AS t
           WHERE t.status = 'queued' AND t.flow_slug = v_flow
             AND (t.step_slug, t.priority, t.flow_key, t.step_key) > (p.step_slug, p.priority, p.flow_key, p.step_key)
           ORDER BY t.step_slug, t.priority, t.flow_key, t.step_key LIMIT 1) AS n)
    SELECT v_flow, p.step_slug, p.priority, p.flow_key, p.step_key, NULL::int[] FROM part AS p;
  END LOOP;
END;
$$;
