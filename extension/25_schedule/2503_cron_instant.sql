-- The instant at which a local wall-clock time happens in a time zone, for
-- cron slots across daylight-saving changes: NULL when it does not happen that
-- day (the hour skipped when clocks spring forward: the slot is skipped), and
-- its FIRST occurrence when it happens twice (the hour repeated when clocks
-- fall back: the slot runs once, the first time the clock shows it, as cron
-- does). PostgreSQL itself reads a repeated local time as the later one.
CREATE OR REPLACE FUNCTION pgflow._cron_instant(local_time timestamp, time_zone text)
RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_instant timestamptz := local_time AT TIME ZONE time_zone;
  v_offset interval;
  v_offset_before interval;
  v_earlier timestamptz;
BEGIN
  IF (v_instant AT TIME ZONE time_zone) <> local_time THEN
    RETURN NULL;
  END IF;
  v_offset := (v_instant AT TIME ZONE time_zone) - (v_instant AT TIME ZONE 'UTC');
  v_offset_before := ((v_instant - interval '3 hours') AT TIME ZONE time_zone)
                     - ((v_instant - interval '3 hours') AT TIME ZONE 'UTC');
  IF v_offset_before > v_offset THEN
    v_earlier := (local_time - v_offset_before) AT TIME ZONE 'UTC';
    IF (v_earlier AT TIME ZONE time_zone) = local_time THEN
      RETURN v_earlier;
    END IF;
  END IF;
  RETURN v_instant;
END;
$$;
