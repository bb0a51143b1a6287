-- Creates or replaces a schedule (schedule and sync_schedules both write
-- through here): checks everything, then one upsert on the schedule's name.
-- A new schedule's first slot is the first after now: it never starts a run for
-- a slot before it existed. A replacement keeps its next slot when its cron and
-- time zone stay (a deploy that changes nothing must not skip a slot that is due
-- but not yet ticked); a new cron or zone starts at its first slot after now
-- (or after the last slot handled, if a tick with a later `at` got there).
-- origin: NULL keeps the existing row's (a new row: 'sql').
-- Locks: the schedule's row (the upsert); tick skips it meanwhile.
CREATE OR REPLACE FUNCTION pgflow._put_schedule(
  flow_slug text, cron text, input jsonb, schedule_name text, time_zone text, origin text)
RETURNS pgflow.schedules
LANGUAGE plpgsql AS $$
DECLARE
  v_schedule pgflow.schedules;
  v_next_slot timestamptz;
BEGIN
  IF pgflow._distributed() THEN
    PERFORM pgflow._refuse_on_citus(flow_slug, NULL, 'schedules',
      'A slot is started exactly once by a unique index over every run, which a distributed table cannot enforce.',
      'Start the flow on a schedule from outside (e.g. pg_cron calling pgflow.start_flow with an idempotency_key per slot).');
  END IF;
  PERFORM pgflow._check_slug('flow', flow_slug);
  IF NOT EXISTS (SELECT 1 FROM pgflow.flows AS f WHERE f.flow_slug = _put_schedule.flow_slug) THEN
    RAISE EXCEPTION 'cannot schedule flow "%": it does not exist', flow_slug
      USING ERRCODE = 'P0002', HINT = 'Define it first with pgflow.define_flow or pgflow.create_flow.';
  END IF;
  IF schedule_name IS NULL OR schedule_name !~ '^[A-Za-z_][A-Za-z0-9_-]{0,62}$' THEN
    RAISE EXCEPTION 'invalid schedule name "%" for flow "%"', pgflow._excerpt(coalesce(schedule_name, 'null')), flow_slug
      USING ERRCODE = '22023',
            DETAIL = 'A schedule name starts with a letter or underscore, then up to 62 letters, digits, underscores or hyphens.',
            HINT = 'Use a name like nightly_report; leave it out to name the schedule after its flow.';
  END IF;
  BEGIN
    PERFORM pgflow._cron_parse(cron);
  EXCEPTION WHEN invalid_parameter_value THEN
    DECLARE
      v_message text;
      v_detail text;
      v_hint text;
    BEGIN
      GET STACKED DIAGNOSTICS v_message = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
      RAISE EXCEPTION 'schedule "%" of flow "%": %', schedule_name, flow_slug, v_message
        USING ERRCODE = '22023', HINT = v_hint,
              DETAIL = coalesce(nullif(v_detail, ''), format('The cron expression: "%s".', pgflow._excerpt(cron)));
    END;
  END;
  PERFORM pgflow._check_time_zone(time_zone, schedule_name);

  SELECT s.* INTO v_schedule FROM pgflow.schedules AS s WHERE s.schedule_name = _put_schedule.schedule_name
     FOR NO KEY UPDATE;
  IF FOUND AND v_schedule.cron = _put_schedule.cron AND v_schedule.time_zone = _put_schedule.time_zone THEN
    v_next_slot := v_schedule.next_slot;
  ELSE
    v_next_slot := pgflow._cron_slot(cron, time_zone, greatest(now(), v_schedule.last_slot), true);
    IF v_next_slot IS NULL THEN
      RAISE EXCEPTION 'schedule "%" of flow "%": cron expression "%" has no slot in the next 28 years', schedule_name,
        flow_slug, pgflow._excerpt(cron)
        USING ERRCODE = '22023', HINT = 'Its day of month and day of week fields never meet in its months.';
    END IF;
  END IF;
  INSERT INTO pgflow.schedules AS s (schedule_name, flow_slug, cron, input, time_zone, next_slot, origin)
  VALUES (_put_schedule.schedule_name, _put_schedule.flow_slug, _put_schedule.cron,
          coalesce(_put_schedule.input, '{}'), _put_schedule.time_zone, v_next_slot,
          coalesce(_put_schedule.origin, 'sql'))
  ON CONFLICT ON CONSTRAINT schedules_pkey DO UPDATE
     SET flow_slug = excluded.flow_slug, cron = excluded.cron, input = excluded.input,
         time_zone = excluded.time_zone, next_slot = excluded.next_slot,
         origin = coalesce(_put_schedule.origin, s.origin), updated_at = now()
  RETURNING * INTO v_schedule;
  RETURN v_schedule;
END;
$$;
