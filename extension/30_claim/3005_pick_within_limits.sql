-- claim_tasks' pick while concurrency limits exist: the oldest claimable tasks,
-- skipping those whose step or flow already has max_concurrency tasks in flight
-- (status started, counted over all versions); the limits are those of the
-- latest version of the flow (or of the flow's latest version with that step).
-- The caller holds the flow_locks rows of the limited flows it may claim from,
-- which serialize their claims, so those counts cannot change under it except
-- downwards (completions), which only makes this pick conservative. (Counts of
-- limited flows outside the claim's filters may move; none of their tasks is picked.)
-- Returns the picked rows' ctids (not locked; see claim_tasks).
CREATE OR REPLACE FUNCTION pgflow._pick_within_limits(max_tasks int, flow_slugs text[], step_keys text[])
RETURNS tid[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_room jsonb;           -- {"flow": n, "flow/step": n}: tasks that may still start
  v_candidate record;
  v_step_key text;
  v_picked tid[] := '{}'::tid[];
BEGIN
  SELECT coalesce(jsonb_object_agg(l.limit_key, l.room), '{}') INTO v_room
    FROM (SELECT f.flow_slug AS limit_key,
                 f.max_concurrency - (SELECT count(*) FROM pgflow.step_tasks AS t
                                       WHERE t.status = 'started' AND t.flow_slug = f.flow_slug) AS room
            FROM pgflow.flows AS f
           WHERE f.max_concurrency IS NOT NULL
             AND f.version = (SELECT max(x.version) FROM pgflow.flows AS x WHERE x.flow_slug = f.flow_slug)
          UNION ALL
          SELECT latest.flow_slug || '/' || latest.step_slug,
                 latest.max_concurrency - (SELECT count(*) FROM pgflow.step_tasks AS t
                                            WHERE t.status = 'started' AND t.flow_slug = latest.flow_slug
                                              AND t.step_slug = latest.step_slug)
            FROM (SELECT DISTINCT ON (s.flow_slug, s.step_slug) s.flow_slug, s.step_slug, s.max_concurrency
                    FROM pgflow.steps AS s
                   ORDER BY s.flow_slug, s.step_slug, s.flow_version DESC) AS latest
           WHERE latest.max_concurrency IS NOT NULL) AS l;

  FOR v_candidate IN
    SELECT q.ctid, q.step_slug, q.flow_slug FROM pgflow.step_tasks AS q
     WHERE q.status = 'queued' AND q.available_at <= now()
       AND (flow_slugs IS NULL OR q.flow_slug = ANY (flow_slugs))
       AND (step_keys IS NULL OR q.flow_slug || '/' || q.flow_version || '/' || q.step_slug = ANY (step_keys))
     ORDER BY q.available_at
  LOOP
    v_step_key := v_candidate.flow_slug || '/' || v_candidate.step_slug;
    CONTINUE WHEN (v_room ->> v_candidate.flow_slug)::int <= 0 OR (v_room ->> v_step_key)::int <= 0;
    IF v_room ? v_candidate.flow_slug THEN
      v_room := jsonb_set(v_room, ARRAY[v_candidate.flow_slug], to_jsonb((v_room ->> v_candidate.flow_slug)::int - 1));
    END IF;
    IF v_room ? v_step_key THEN
      v_room := jsonb_set(v_room, ARRAY[v_step_key], to_jsonb((v_room ->> v_step_key)::int - 1));
    END IF;
    v_picked := v_picked || v_candidate.ctid;
    EXIT WHEN cardinality(v_picked) >= max_tasks;
  END LOOP;
  RETURN v_picked;
END;
$$;
