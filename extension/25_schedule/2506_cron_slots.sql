-- The slots of a cron expression around `at` in a time zone: the latest at or
-- before `at` and the first after it (what tick uses). For checking an
-- expression before scheduling it, and for showing when a schedule runs next.
-- Raises, naming the field, for a bad expression, and for an unknown time zone.
CREATE OR REPLACE FUNCTION pgflow.cron_slots(cron text, at timestamptz DEFAULT now(), time_zone text DEFAULT 'UTC')
RETURNS TABLE (latest_slot timestamptz, next_slot timestamptz)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM pgflow._cron_parse(cron);
  PERFORM pgflow._check_time_zone(time_zone);
  IF at IS NULL THEN
    RAISE EXCEPTION 'at must not be null' USING ERRCODE = '22023', HINT = 'Leave it out for now().';
  END IF;
  latest_slot := pgflow._cron_slot(cron, time_zone, at, false);
  next_slot := pgflow._cron_slot(cron, time_zone, at, true);
  RETURN NEXT;
END;
$$;
