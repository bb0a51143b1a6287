-- Reads one key of a define_flow document with a type check, so a malformed
-- document fails with a message naming the key, the thing and the value found
-- (cut to a readable length).
-- Returns NULL when the key is absent or JSON null. expected_type is a jsonb_typeof
-- name, or 'integer' (a number without a fraction, in int range), or
-- 'string array'.
CREATE OR REPLACE FUNCTION pgflow._json_field(document jsonb, key text, expected_type text, what text)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_value jsonb := document -> key;
  v_type text := jsonb_typeof(v_value);
BEGIN
  IF v_value IS NULL OR v_type = 'null' THEN
    RETURN NULL;
  END IF;
  IF expected_type = 'integer' THEN
    IF v_type <> 'number' OR v_value::numeric <> trunc(v_value::numeric)
       OR v_value::numeric NOT BETWEEN -2147483648 AND 2147483647 THEN
      RAISE EXCEPTION '% of % must be an integer, got %', key, what, pgflow._excerpt(v_value::text)
        USING ERRCODE = '22023';
    END IF;
  ELSIF expected_type = 'string array' THEN
    IF v_type <> 'array' OR EXISTS (SELECT 1 FROM jsonb_array_elements(v_value) AS e
                                     WHERE jsonb_typeof(e) <> 'string') THEN
      RAISE EXCEPTION '% of % must be an array of step slugs, got %', key, what, pgflow._excerpt(v_value::text)
        USING ERRCODE = '22023', HINT = 'e.g. "deps": ["fetch_data"]';
    END IF;
  ELSIF v_type <> expected_type THEN
    RAISE EXCEPTION '% of % must be a%, got %', key, what,
      CASE WHEN expected_type ~ '^[aeiou]' THEN 'n ' ELSE ' ' END || expected_type, pgflow._excerpt(v_value::text)
      USING ERRCODE = '22023';
  END IF;
  RETURN v_value;
END;
$$;
