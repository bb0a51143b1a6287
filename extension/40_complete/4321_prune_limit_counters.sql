-- For prune: removes the limit counters nobody needs any more, with the
-- releases still waiting to be folded into them: counters with nothing in
-- flight once their releases are counted, not claimed under since the cut-off,
-- and with no start left in their rate window. Every key value ever seen has a
-- counter (keys take turns by last_claimed_at), so without this they only grow.
-- A removed counter is created again by the next start or claim that needs it
-- (_open_limit), as "never served": a key idle that long goes first, as a new
-- key would. Locked SKIP LOCKED, as claims lock them: a counter a claimer holds
-- is left for the next prune, and a claimer never waits for prune (it finds no
-- room under that limit for one claim, as when another claimer holds it).
-- Once a counter is locked here and idle, no release can come for it: releases
-- come from tasks in flight, and claims that would put one in flight need the
-- lock. Returns the rows removed (counters and releases), at most batch_size
-- counters per call.
CREATE OR REPLACE FUNCTION pgflow._prune_limit_counters(cutoff timestamptz, batch_size int)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_idle record;
  v_removed bigint := 0::bigint;
  v_rows bigint;
BEGIN
  FOR v_idle IN
    SELECT c.flow_slug, c.step_slug, c.key_value
      FROM pgflow.limit_counters AS c
      LEFT JOIN pgflow.flow_limits AS l ON l.flow_slug = c.flow_slug AND l.step_slug = c.step_slug
     WHERE coalesce(c.last_claimed_at, '-infinity') < cutoff
       AND NOT EXISTS (SELECT 1 FROM unnest(c.recent_starts) AS s
                        WHERE s >= least(cutoff, now() - make_interval(secs => coalesce(l.rate_period, 0))))
     ORDER BY c.last_claimed_at NULLS FIRST
     LIMIT batch_size
       FOR UPDATE OF c SKIP LOCKED
  LOOP
    -- Counted under the lock: a claim that put a task in flight since the scan
    -- has committed its in_flight by now.
    IF (SELECT c.in_flight FROM pgflow.limit_counters AS c
         WHERE c.flow_slug = v_idle.flow_slug AND c.step_slug = v_idle.step_slug AND c.key_value = v_idle.key_value)
       > (SELECT count(*) FROM pgflow.limit_releases AS r
           WHERE r.flow_slug = v_idle.flow_slug AND r.step_slug = v_idle.step_slug AND r.key_value = v_idle.key_value)
    THEN
      CONTINUE;  -- tasks in flight under it
    END IF;
    DELETE FROM pgflow.limit_releases AS r
     WHERE r.flow_slug = v_idle.flow_slug AND r.step_slug = v_idle.step_slug AND r.key_value = v_idle.key_value;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    DELETE FROM pgflow.limit_counters AS c
     WHERE c.flow_slug = v_idle.flow_slug AND c.step_slug = v_idle.step_slug AND c.key_value = v_idle.key_value;
    v_removed := v_removed + v_rows + 1;
  END LOOP;
  RETURN v_removed;
END;
$$;
