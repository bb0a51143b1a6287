-- A value cut to a readable length, for error messages (and for stored error
-- texts, with a larger limit): the first max_chars characters, then a mark
-- saying how long the whole was. Every error that echoes a value a caller sent
-- passes it through here, so a hostile 10 MB argument yields a short message.
CREATE OR REPLACE FUNCTION pgflow._excerpt(value text, max_chars int DEFAULT 100)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN length(value) <= max_chars THEN value
              ELSE left(value, max_chars) || format('... [cut: %s characters in all]', length(value)) END
$$;
