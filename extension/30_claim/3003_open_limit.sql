-- For _pick_tasks: locks the counter of one limit and key value and returns how
-- many tasks may start under it now: max_concurrency minus the tasks in flight,
-- and rate_limit minus the starts of the last rate_period seconds (the smaller;
-- NULL limits do not count). 0 when another claimer holds the counter: it is
-- handing out that limit's slots, and this claim never waits for it.
-- Folds in the releases (limit_releases) of tasks that left started since, and
-- forgets starts older than the window. Counters are created by start_flow; one
-- missing (a limit defined after the run started) is created here, and should a
-- racing claimer be creating the same one, the insert gives up after 1 ms
-- (lock_timeout) instead of waiting for its commit.
-- Needs READ COMMITTED: a claimer must see the counts its predecessor committed.
CREATE OR REPLACE FUNCTION pgflow._open_limit(
  flow_slug text, step_slug text, key_value text, max_concurrency int, rate_limit int, rate_period int)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_counter pgflow.limit_counters;
  v_released int;
  v_recent timestamptz[];
  v_lock_timeout text := current_setting('lock_timeout');
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'claim_tasks must run in a READ COMMITTED transaction while concurrency limits are set, not %',
      upper(current_setting('transaction_isolation'))
      USING ERRCODE = '25000',
            DETAIL = format('Flow "%s"%s has limits; counting its tasks in flight needs the latest committed counts.',
                            flow_slug, CASE WHEN step_slug = '' THEN '' ELSE format(', step "%s"', step_slug) END),
            HINT = 'Call claim_tasks outside an explicit REPEATABLE READ or SERIALIZABLE transaction.';
  END IF;
  SELECT c.* INTO v_counter FROM pgflow.limit_counters AS c
   WHERE c.flow_slug = _open_limit.flow_slug AND c.step_slug = _open_limit.step_slug
     AND c.key_value = _open_limit.key_value
     FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    IF EXISTS (SELECT 1 FROM pgflow.limit_counters AS c
                WHERE c.flow_slug = _open_limit.flow_slug AND c.step_slug = _open_limit.step_slug
                  AND c.key_value = _open_limit.key_value) THEN
      RETURN 0;  -- another claimer holds it
    END IF;
    BEGIN
      PERFORM set_config('lock_timeout', '1ms', true);
      INSERT INTO pgflow.limit_counters AS c (flow_slug, step_slug, key_value)
      VALUES (_open_limit.flow_slug, _open_limit.step_slug, _open_limit.key_value)
      ON CONFLICT ON CONSTRAINT limit_counters_pkey DO NOTHING
      RETURNING c.* INTO v_counter;
      PERFORM set_config('lock_timeout', v_lock_timeout, true);
    EXCEPTION WHEN lock_not_available THEN
      RETURN 0;  -- a racing claimer is creating it
    END;
    IF v_counter.flow_slug IS NULL THEN
      RETURN 0;  -- created and committed by a racing claimer meanwhile; the next claim uses it
    END IF;
  END IF;

  DELETE FROM pgflow.limit_releases AS r
   WHERE r.flow_slug = _open_limit.flow_slug AND r.step_slug = _open_limit.step_slug
     AND r.key_value = _open_limit.key_value;
  GET DIAGNOSTICS v_released = ROW_COUNT;
  v_recent := CASE WHEN rate_limit IS NULL THEN '{}'::timestamptz[]
                   ELSE ARRAY(SELECT s FROM unnest(v_counter.recent_starts) AS s
                               WHERE s > now() - make_interval(secs => rate_period) ORDER BY s) END;
  IF v_released > 0 OR v_recent IS DISTINCT FROM v_counter.recent_starts THEN
    UPDATE pgflow.limit_counters AS c
       SET in_flight = greatest(c.in_flight - v_released, 0), recent_starts = v_recent
     WHERE c.flow_slug = _open_limit.flow_slug AND c.step_slug = _open_limit.step_slug
       AND c.key_value = _open_limit.key_value
    RETURNING c.* INTO v_counter;
  END IF;
  RETURN greatest(least(coalesce(max_concurrency - v_counter.in_flight, 2147483647),
                        coalesce(rate_limit - cardinality(v_recent), 2147483647)), 0);
END;
$$;
