-- The lowest run id of the millisecond `at`: its 48-bit Unix time in
-- milliseconds, then zeros. [_history_bound(a), _history_bound(b)) holds
-- exactly the UUIDv7s made from a up to b (_time_ordered_uuid), so these are
-- the bounds of a partition set. Instants outside 48 bits (before 1970, after
-- the year 10889) clamp to the lowest and highest.
CREATE OR REPLACE FUNCTION pgflow._history_bound(at timestamptz)
RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (lpad(to_hex(least(greatest(floor(extract(epoch FROM at) * 1000), 0), 281474976710655)::bigint), 12, '0') || repeat('0', 20))::uuid
$$;
