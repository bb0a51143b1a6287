-- The days of one month (year, month) that a parsed cron expression runs on,
-- ascending; see _cron_parse for the day-of-month / day-of-week rule.
CREATE OR REPLACE FUNCTION pgflow._cron_days(
  year int, month int, days int[], weekdays int[], days_star boolean, weekdays_star boolean)
RETURNS int[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY(
    SELECT d
      FROM generate_series(1, extract(day FROM make_date(year, month, 1) + interval '1 month' - interval '1 day')::int) AS d
     WHERE CASE WHEN days_star OR weekdays_star
                THEN d = ANY (days) AND extract(dow FROM make_date(year, month, d))::int = ANY (weekdays)
                ELSE d = ANY (days) OR extract(dow FROM make_date(year, month, d))::int = ANY (weekdays) END
     ORDER BY d)
$$;
