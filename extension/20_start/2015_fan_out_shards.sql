-- How many rows a fan-out step's counter of pending tasks is split over
-- (fan_out_shards; task i counts in shard i % this). More shards let more
-- completions of one fan-out proceed at once; each shard that empties takes the
-- run lock once. Changing it is safe only between runs: shards of fan-outs in
-- flight were laid out with the old value.
CREATE OR REPLACE FUNCTION pgflow._fan_out_shards()
RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 16
$$;
