-- Raises unless slug is a valid flow or step slug. `kind` is 'flow' or 'step';
-- `run` is reserved for steps because a step's input carries the flow input under it.
CREATE OR REPLACE FUNCTION pgflow._check_slug(kind text, slug text, flow_slug text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_where text := CASE WHEN kind = 'step' AND flow_slug IS NOT NULL
                       THEN format(' in flow "%s"', flow_slug) ELSE '' END;
BEGIN
  IF slug IS NULL THEN
    RAISE EXCEPTION '% slug must not be null%', kind, v_where
      USING ERRCODE = '22023', HINT = 'Give every flow and step a slug.';
  END IF;
  IF slug !~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$' THEN
    RAISE EXCEPTION 'invalid % slug "%"%', kind, pgflow._excerpt(slug), v_where
      USING ERRCODE = '22023',
            DETAIL = 'A slug starts with a letter or underscore, then up to 62 letters, digits or underscores.',
            HINT = 'Use a name like fetch_data or stepA.';
  END IF;
  IF kind = 'step' AND slug = 'run' THEN
    RAISE EXCEPTION 'step slug "run" is reserved%', v_where
      USING ERRCODE = '22023',
            DETAIL = 'Every step input carries the flow input under the key "run".',
            HINT = 'Rename the step.';
  END IF;
END;
$$;
