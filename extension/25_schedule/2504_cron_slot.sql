-- A slot of a cron expression in a time zone next to `at`: with forward, the
-- first slot after `at`; without, the latest slot at or before `at`. NULL when
-- there is none within c_max_years (only "February 29 that is also a Tuesday"
-- kinds of expressions get near that).
-- Cheap: it walks candidate wall-clock times of the zone in order, month by
-- month, over the expression's own months, days, hours and minutes only, and
-- stops at the first whose instant (_cron_instant) is on the right side of
-- `at`: a slot a minute away costs one candidate, the next February 29 one per
-- year, never a minute-by-minute scan. Local times are monotone in instants
-- (a repeated local time counts at its first occurrence), so the first such
-- candidate is the nearest slot.
-- Backwards, the walk starts later than `at`'s wall-clock time by however much
-- the offset fell in the last day: after clocks fall back, a local time later
-- than now's may have happened already, in the first pass of the repeated hour.
CREATE OR REPLACE FUNCTION pgflow._cron_slot(cron text, time_zone text, at timestamptz, forward boolean)
RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
  c_max_years constant int := 28;  -- the calendar (weekdays included) repeats every 28 years until 2100
  v_minutes int[];
  v_hours int[];
  v_days int[];
  v_months int[];
  v_weekdays int[];
  v_days_star boolean;
  v_weekdays_star boolean;
  v_offset_drop interval;
  v_start timestamp;
  v_start_day date;
  v_year int;
  v_month int;
  v_day int;
  v_hour int;
  v_minute int;
  v_local timestamp;
  v_instant timestamptz;
BEGIN
  SELECT p.minutes, p.hours, p.days, p.months, p.weekdays, p.days_star, p.weekdays_star
    INTO v_minutes, v_hours, v_days, v_months, v_weekdays, v_days_star, v_weekdays_star
    FROM pgflow._cron_parse(cron) AS p;
  IF forward THEN
    v_start := date_trunc('minute', at AT TIME ZONE time_zone);
  ELSE
    v_offset_drop := greatest(interval '0',
      ((at - interval '1 day') AT TIME ZONE time_zone) - ((at - interval '1 day') AT TIME ZONE 'UTC')
      - ((at AT TIME ZONE time_zone) - (at AT TIME ZONE 'UTC')));
    v_start := date_trunc('minute', (at AT TIME ZONE time_zone) + v_offset_drop);
    v_minutes := ARRAY(SELECT m FROM unnest(v_minutes) AS m ORDER BY m DESC);
    v_hours := ARRAY(SELECT h FROM unnest(v_hours) AS h ORDER BY h DESC);
    v_months := ARRAY(SELECT m FROM unnest(v_months) AS m ORDER BY m DESC);
  END IF;
  v_start_day := v_start::date;
  FOR v_year IN SELECT y FROM generate_series(extract(year FROM v_start)::int,
                                              extract(year FROM v_start)::int + CASE WHEN forward THEN c_max_years ELSE -c_max_years END,
                                              CASE WHEN forward THEN 1 ELSE -1 END) AS y LOOP
    FOREACH v_month IN ARRAY v_months LOOP
      CONTINUE WHEN forward AND make_date(v_year, v_month, 1) < date_trunc('month', v_start_day)::date;
      CONTINUE WHEN NOT forward AND make_date(v_year, v_month, 1) > v_start_day;
      FOR v_day IN SELECT d FROM unnest(pgflow._cron_days(v_year, v_month, v_days, v_weekdays, v_days_star,
                                                          v_weekdays_star)) AS d
                    ORDER BY CASE WHEN forward THEN d ELSE -d END LOOP
        CONTINUE WHEN forward AND make_date(v_year, v_month, v_day) < v_start_day;
        CONTINUE WHEN NOT forward AND make_date(v_year, v_month, v_day) > v_start_day;
        FOREACH v_hour IN ARRAY v_hours LOOP
          IF make_date(v_year, v_month, v_day) = v_start_day THEN
            CONTINUE WHEN forward AND v_hour < extract(hour FROM v_start);
            CONTINUE WHEN NOT forward AND v_hour > extract(hour FROM v_start);
          END IF;
          FOREACH v_minute IN ARRAY v_minutes LOOP
            v_local := make_timestamp(v_year, v_month, v_day, v_hour, v_minute, 0);
            CONTINUE WHEN forward AND v_local < v_start;
            CONTINUE WHEN NOT forward AND v_local > v_start;
            v_instant := pgflow._cron_instant(v_local, time_zone);
            CONTINUE WHEN v_instant IS NULL;
            IF (forward AND v_instant > at) OR (NOT forward AND v_instant <= at) THEN
              RETURN v_instant;
            END IF;
          END LOOP;
        END LOOP;
      END LOOP;
    END LOOP;
  END LOOP;
  RETURN NULL;
END;
$$;
