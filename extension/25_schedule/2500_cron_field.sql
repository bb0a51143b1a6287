-- One field of a cron expression as the sorted set of values it matches.
-- A field is a comma-separated list of items; an item is `*`, a number (or a
-- name: jan-dec in the month field, sun-sat in the day-of-week field), or a
-- range `a-b`, each optionally followed by a step `/n` (`*/15`, `1-10/2`; `5/15`
-- means `5-<max>/15`). Day of week 7 is Sunday, as 0. Every error names the
-- field and quotes the item that is wrong, e.g. minute field "61" is out of range 0-59.
CREATE OR REPLACE FUNCTION pgflow._cron_field(field_name text, field text, low int, high int, names text[] DEFAULT NULL)
RETURNS int[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  c_hint constant text := 'A cron expression has five fields: minute (0-59), hour (0-23), day of month (1-31), '
    'month (1-12 or jan-dec), day of week (0-7 or sun-sat; 0 and 7 are Sunday). Each is *, a number, a range a-b '
    'or a list of them (a,b), with an optional step /n: e.g. */15 9-17 * * mon-fri.';
  v_item text;
  v_parts text[];
  v_range text[];
  v_value text;
  v_first int;
  v_last int;
  v_step int;
  v_bounds int[];
  v_values int[] := '{}'::int[];
BEGIN
  FOREACH v_item IN ARRAY string_to_array(field, ',') LOOP
    IF v_item = '' THEN
      RAISE EXCEPTION '% field "%" has an empty list item', field_name, pgflow._excerpt(field)
        USING ERRCODE = '22023', HINT = c_hint;
    END IF;
    v_parts := string_to_array(v_item, '/');
    IF cardinality(v_parts) > 2 THEN
      RAISE EXCEPTION '% field "%" has more than one step', field_name, pgflow._excerpt(v_item)
        USING ERRCODE = '22023', HINT = c_hint;
    END IF;
    v_step := 1;
    IF cardinality(v_parts) = 2 THEN
      IF v_parts[2] !~ '^[0-9]{1,4}$' OR v_parts[2]::int = 0 THEN
        RAISE EXCEPTION '% field "%" has step "%": a step is a whole number of at least 1', field_name,
          pgflow._excerpt(v_item), pgflow._excerpt(v_parts[2])
          USING ERRCODE = '22023', HINT = c_hint;
      END IF;
      v_step := v_parts[2]::int;
    END IF;
    IF v_parts[1] = '*' THEN
      v_first := low;
      v_last := high;
    ELSE
      v_range := string_to_array(v_parts[1], '-');
      IF cardinality(v_range) > 2 THEN
        RAISE EXCEPTION '% field "%" is not a number, a range a-b or *', field_name, pgflow._excerpt(v_item)
          USING ERRCODE = '22023', HINT = c_hint;
      END IF;
      v_bounds := '{}'::int[];
      FOREACH v_value IN ARRAY v_range LOOP
        IF v_value ~ '^[0-9]{1,4}$' THEN
          v_bounds := v_bounds || v_value::int;
        ELSIF v_value ~ '^[a-z]{3}$' AND array_position(names, v_value) IS NOT NULL THEN
          -- names[1] is the name of `low` (jan = 1, sun = 0)
          v_bounds := v_bounds || (low + array_position(names, v_value) - 1);
        ELSE
          RAISE EXCEPTION '% field "%" is not a number, a range a-b or *', field_name, pgflow._excerpt(v_item)
            USING ERRCODE = '22023',
                  DETAIL = CASE WHEN names IS NOT NULL
                                THEN format('Names in the %s field: %s.', field_name, array_to_string(names, ', '))
                                ELSE format('The %s field takes numbers only.', field_name) END,
                  HINT = c_hint;
        END IF;
      END LOOP;
      FOREACH v_first IN ARRAY v_bounds LOOP
        IF v_first < low OR v_first > high THEN
          RAISE EXCEPTION '% field "%" is out of range %-%', field_name, v_first, low, high
            USING ERRCODE = '22023', HINT = c_hint;
        END IF;
      END LOOP;
      v_first := v_bounds[1];
      -- `5/15` steps from 5 to the end of the range, as `5-max/15`
      v_last := CASE WHEN cardinality(v_bounds) = 2 THEN v_bounds[2]
                     WHEN cardinality(v_parts) = 2 THEN high
                     ELSE v_bounds[1] END;
      IF v_first > v_last THEN
        RAISE EXCEPTION '% field "%" is a range that runs backwards (% > %)', field_name, pgflow._excerpt(v_item),
          v_first, v_last
          USING ERRCODE = '22023', HINT = 'Write the smaller bound first, e.g. 1-5.';
      END IF;
    END IF;
    v_values := v_values || ARRAY(SELECT generate_series(v_first, v_last, v_step));
  END LOOP;
  RETURN ARRAY(SELECT DISTINCT v FROM unnest(v_values) AS v ORDER BY v);
END;
$$;
