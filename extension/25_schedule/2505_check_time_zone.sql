-- Raises unless time_zone is a time zone PostgreSQL knows (a name such as
-- Europe/Berlin, as in pg_timezone_names, or UTC). Tried by converting a time,
-- which reads one zone file, where pg_timezone_names would read them all.
CREATE OR REPLACE FUNCTION pgflow._check_time_zone(time_zone text, schedule_name text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_for text := CASE WHEN schedule_name IS NULL THEN '' ELSE format(' of schedule "%s"', schedule_name) END;
BEGIN
  IF time_zone IS NULL THEN
    RAISE EXCEPTION 'time zone% must not be null', v_for
      USING ERRCODE = '22023', HINT = 'Leave it out for UTC, or name one such as Europe/Berlin.';
  END IF;
  BEGIN
    PERFORM now() AT TIME ZONE time_zone;
  EXCEPTION WHEN invalid_parameter_value THEN
    RAISE EXCEPTION 'unknown time zone "%"%', pgflow._excerpt(time_zone), v_for
      USING ERRCODE = '22023',
            HINT = 'Use a name from pg_timezone_names, such as UTC, Europe/Berlin or America/New_York.';
  END;
END;
$$;
