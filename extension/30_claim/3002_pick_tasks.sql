-- claim_tasks' pick: which claimable tasks it hands out, in which order, under
-- which limits. Returns the picked tasks (row versions, locked FOR UPDATE SKIP
-- LOCKED, still queued) and the limit counters each is counted in, which are
-- incremented here.
-- Order: higher priority first; within a priority, tasks of a limit key take
-- turns (every key's oldest task, then every key's second, ...; among keys, the
-- one served least recently first, so a new key goes next), so one key's
-- backlog never holds back another key's oldest task; then oldest first.
-- Candidates come from each part of the claim index (_claim_units) separately:
-- a part's first tasks only, so a claim never reads another flow's, step's or
-- key's backlog.
-- Limits (flow_limits): a task is picked only while every limit over it (its
-- flow's, its step's; per key value when limit_key is set) has room: fewer than
-- max_concurrency counted in flight, fewer than rate_limit starts in the last
-- rate_period seconds. Each limit's counter row is locked FOR UPDATE SKIP LOCKED
-- (_open_limit): a counter another claimer holds has no room for this claim, so
-- claims never wait, limits hold exactly, and a limit only ever touches claims
-- of the tasks it governs.
CREATE OR REPLACE FUNCTION pgflow._pick_tasks(max_tasks int, flow_slugs text[], step_keys text[])
RETURNS TABLE (task tid, task_run_id uuid, held_flow_key text, held_step_key text)
LANGUAGE plpgsql ROWS 10 AS $$
#variable_conflict use_column
DECLARE
  c_sep constant text := E'\x1f';
  v_limits jsonb;
  v_candidate record;
  v_flow_limit jsonb;
  v_step_limit jsonb;
  v_flow_counter text;
  v_step_counter text;
  v_room jsonb := '{}'::jsonb;   -- counter -> tasks it may still start in this claim
  v_taken jsonb := '{}'::jsonb;  -- counter -> tasks picked under it
  v_counter text;
  v_picked int := 0;
BEGIN
  SELECT coalesce(jsonb_object_agg(l.flow_slug || c_sep || l.step_slug,
                                   jsonb_build_object('max_concurrency', l.max_concurrency, 'rate_limit', l.rate_limit,
                                                      'rate_period', l.rate_period)), '{}')
    INTO v_limits
    FROM pgflow.flow_limits AS l
   WHERE (l.max_concurrency IS NOT NULL OR l.rate_limit IS NOT NULL)
     AND (flow_slugs IS NULL OR l.flow_slug = ANY (flow_slugs))
     AND (step_keys IS NULL OR l.flow_slug IN (SELECT split_part(k, '/', 1) FROM unnest(step_keys) AS k));

  FOR v_candidate IN
    SELECT c.ctid, c.run_id, u.flow_slug, u.step_slug, u.flow_key, u.step_key
      FROM pgflow._claim_units(flow_slugs, step_keys) AS u
      -- When a key was last handed out: keys take turns, least recently served first.
      -- (Two primary-key probes, no scan of the counters.)
      CROSS JOIN LATERAL (
        SELECT greatest(
                 (SELECT k.last_claimed_at FROM pgflow.limit_counters AS k
                   WHERE u.flow_key <> '' AND k.flow_slug = u.flow_slug AND k.step_slug = '' AND k.key_value = u.flow_key),
                 (SELECT k.last_claimed_at FROM pgflow.limit_counters AS k
                   WHERE u.step_key <> '' AND k.flow_slug = u.flow_slug AND k.step_slug = u.step_slug
                     AND k.key_value = u.step_key)) AS last_claimed_at) AS served
      CROSS JOIN LATERAL (
        SELECT h.ctid, h.run_id, h.available_at, row_number() OVER () AS turn
          FROM (SELECT q.ctid, q.run_id, q.available_at
                  FROM pgflow.step_tasks AS q
                 WHERE q.status = 'queued' AND q.flow_slug = u.flow_slug AND q.step_slug = u.step_slug
                   AND q.priority = u.priority AND q.flow_key = u.flow_key AND q.step_key = u.step_key
                   AND q.available_at <= now() AND (u.versions IS NULL OR q.flow_version = ANY (u.versions))
                 ORDER BY q.available_at
                 -- Keyed parts give one turn each per claim round; unkeyed ones extra
                 -- candidates, in case a racing claimer has locked their first ones.
                 LIMIT CASE WHEN u.flow_key = '' AND u.step_key = '' THEN 4 * max_tasks ELSE max_tasks END) AS h
       ) AS c
     ORDER BY u.priority DESC,
              CASE WHEN u.flow_key = '' AND u.step_key = '' THEN 1 ELSE c.turn END,
              CASE WHEN u.flow_key = '' AND u.step_key = '' THEN c.available_at
                   ELSE coalesce(served.last_claimed_at, '-infinity') END,
              c.available_at
  LOOP
    EXIT WHEN v_picked >= max_tasks;
    v_flow_limit := v_limits -> (v_candidate.flow_slug || c_sep);
    v_step_limit := v_limits -> (v_candidate.flow_slug || c_sep || v_candidate.step_slug);
    v_flow_counter := CASE WHEN v_flow_limit IS NOT NULL
                           THEN v_candidate.flow_slug || c_sep || c_sep || v_candidate.flow_key END;
    v_step_counter := CASE WHEN v_step_limit IS NOT NULL
                           THEN v_candidate.flow_slug || c_sep || v_candidate.step_slug || c_sep || v_candidate.step_key END;
    IF v_flow_counter IS NOT NULL AND NOT v_room ? v_flow_counter THEN
      v_room := v_room || jsonb_build_object(v_flow_counter, pgflow._open_limit(
        v_candidate.flow_slug, '', v_candidate.flow_key, (v_flow_limit ->> 'max_concurrency')::int,
        (v_flow_limit ->> 'rate_limit')::int, (v_flow_limit ->> 'rate_period')::int));
    END IF;
    IF v_step_counter IS NOT NULL AND NOT v_room ? v_step_counter THEN
      v_room := v_room || jsonb_build_object(v_step_counter, pgflow._open_limit(
        v_candidate.flow_slug, v_candidate.step_slug, v_candidate.step_key, (v_step_limit ->> 'max_concurrency')::int,
        (v_step_limit ->> 'rate_limit')::int, (v_step_limit ->> 'rate_period')::int));
    END IF;
    CONTINUE WHEN (v_room ->> v_flow_counter)::int <= 0 OR (v_room ->> v_step_counter)::int <= 0;

    -- Still queued and nobody else's: a row changed since the candidates were
    -- read has a new version (another ctid), and a row locked by a racing
    -- claimer is skipped.
    -- (A ctid names a row of one partition: the run id picks the partition.)
    PERFORM 1 FROM pgflow.step_tasks AS q
     WHERE q.run_id = v_candidate.run_id AND q.ctid = v_candidate.ctid AND q.status = 'queued'
       FOR UPDATE SKIP LOCKED;
    CONTINUE WHEN NOT FOUND;
    FOREACH v_counter IN ARRAY ARRAY[v_flow_counter, v_step_counter] LOOP
      CONTINUE WHEN v_counter IS NULL;
      v_room := jsonb_set(v_room, ARRAY[v_counter], to_jsonb((v_room ->> v_counter)::int - 1));
      v_taken := jsonb_set(v_taken, ARRAY[v_counter], to_jsonb(coalesce((v_taken ->> v_counter)::int, 0) + 1));
    END LOOP;
    v_picked := v_picked + 1;
    task := v_candidate.ctid;
    task_run_id := v_candidate.run_id;
    held_flow_key := CASE WHEN v_flow_counter IS NOT NULL THEN v_candidate.flow_key END;
    held_step_key := CASE WHEN v_step_counter IS NOT NULL THEN v_candidate.step_key END;
    RETURN NEXT;
  END LOOP;

  -- Count the picks in their counters (each locked by _open_limit above).
  IF v_taken = '{}'::jsonb THEN
    RETURN;
  END IF;
  UPDATE pgflow.limit_counters AS c
     SET in_flight = c.in_flight + n.taken, last_claimed_at = clock_timestamp(),
         recent_starts = CASE WHEN (v_limits -> (c.flow_slug || c_sep || c.step_slug) ->> 'rate_limit') IS NULL
                              THEN c.recent_starts
                              ELSE c.recent_starts || array_fill(now(), ARRAY[n.taken]) END
    FROM (SELECT split_part(e.key, c_sep, 1) AS flow_slug, split_part(e.key, c_sep, 2) AS step_slug,
                 split_part(e.key, c_sep, 3) AS key_value, e.value::int AS taken
            FROM jsonb_each_text(v_taken) AS e) AS n
   WHERE c.flow_slug = n.flow_slug AND c.step_slug = n.step_slug AND c.key_value = n.key_value;
END;
$$;
