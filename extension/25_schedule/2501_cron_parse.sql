-- A cron expression taken apart: the sorted values of each of its five fields,
-- and whether the day-of-month and day-of-week fields start with `*`.
-- Day matching follows Vixie cron: when both day fields are restricted (neither
-- starts with `*`), a day matches if EITHER matches ("1 * * 1" = the 1st of the
-- month and every Monday); otherwise it must match both (a `*` field matches
-- every day, `*/2` the odd days). Day of week 7 becomes 0 (Sunday).
-- Also @yearly (@annually), @monthly, @weekly, @daily (@midnight), @hourly.
-- Raises, naming the field, for a malformed expression, or one whose days of
-- month never occur in its months ("0 0 30 2 *").
CREATE OR REPLACE FUNCTION pgflow._cron_parse(
  cron text,
  OUT minutes int[], OUT hours int[], OUT days int[], OUT months int[], OUT weekdays int[],
  OUT days_star boolean, OUT weekdays_star boolean)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_expression text := lower(btrim(cron));
  v_fields text[];
BEGIN
  IF cron IS NULL THEN
    RAISE EXCEPTION 'cron expression must not be null'
      USING ERRCODE = '22023', HINT = 'e.g. ''0 3 * * *'' (every day at 03:00).';
  END IF;
  v_expression := CASE v_expression
                    WHEN '@yearly' THEN '0 0 1 1 *' WHEN '@annually' THEN '0 0 1 1 *'
                    WHEN '@monthly' THEN '0 0 1 * *' WHEN '@weekly' THEN '0 0 * * 0'
                    WHEN '@daily' THEN '0 0 * * *' WHEN '@midnight' THEN '0 0 * * *'
                    WHEN '@hourly' THEN '0 * * * *' ELSE v_expression END;
  v_fields := regexp_split_to_array(v_expression, '\s+');
  IF v_expression = '' OR cardinality(v_fields) <> 5 THEN
    RAISE EXCEPTION 'cron expression "%" has % fields, expected 5', pgflow._excerpt(cron),
      CASE WHEN v_expression = '' THEN 0 ELSE cardinality(v_fields) END
      USING ERRCODE = '22023',
            DETAIL = 'The fields are: minute, hour, day of month, month, day of week.',
            HINT = 'e.g. ''0 3 * * *'' (every day at 03:00) or ''*/15 9-17 * * mon-fri''.';
  END IF;
  minutes := pgflow._cron_field('minute', v_fields[1], 0, 59);
  hours := pgflow._cron_field('hour', v_fields[2], 0, 23);
  days := pgflow._cron_field('day of month', v_fields[3], 1, 31);
  months := pgflow._cron_field('month', v_fields[4], 1, 12,
                               '{jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec}');
  weekdays := pgflow._cron_field('day of week', v_fields[5], 0, 7, '{sun,mon,tue,wed,thu,fri,sat}');
  weekdays := ARRAY(SELECT DISTINCT w % 7 FROM unnest(weekdays) AS w ORDER BY 1);
  days_star := left(v_fields[3], 1) = '*';
  weekdays_star := left(v_fields[5], 1) = '*';
  -- When the day of month decides alone (or together with the day of week),
  -- some month of the expression must have one of its days (February: 29).
  IF (days_star OR weekdays_star)
     AND NOT EXISTS (SELECT 1 FROM unnest(months) AS m, unnest(days) AS d
                      WHERE d <= CASE WHEN m = 2 THEN 29 WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END) THEN
    RAISE EXCEPTION 'day of month field "%" never occurs in month field "%"', pgflow._excerpt(v_fields[3]),
      pgflow._excerpt(v_fields[4])
      USING ERRCODE = '22023', DETAIL = format('cron expression "%s" would never run.', pgflow._excerpt(cron)),
            HINT = 'February has at most 29 days; April, June, September and November 30.';
  END IF;
END;
$$;
