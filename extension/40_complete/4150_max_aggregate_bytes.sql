-- The largest total, in jsonb bytes, of a fan-out step's task outputs: its
-- output is one jsonb array of them, and a jsonb container cannot exceed
-- 268435455 bytes (256 MiB - 1). The limit keeps 1 MiB of that for the
-- array's own entries, so a step over it is refused with a clear error while
-- its tasks report (_store_fan_out_report), not when the last one does.
-- (Tests that cannot afford 255 MiB replace this function in their transaction.)
CREATE OR REPLACE FUNCTION pgflow._max_aggregate_bytes()
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 267386880::bigint
$$;
