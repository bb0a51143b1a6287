-- Run ids are UUIDv7 (RFC 9562): the first 48 bits are the start's Unix time
-- in milliseconds, the rest random. Time-ordered ids keep the runs primary key
-- appending at its right edge, and make a range of run ids a range of start
-- times, which a history partitioned by run_id needs (pgflow.partition_history;
-- _history_bound makes the partitions' bounds).
-- _time_ordered_uuid(at): such an id for the instant `at` (starts pass
-- clock_timestamp(); make bench passes the start times of generated history).
CREATE OR REPLACE FUNCTION pgflow._time_ordered_uuid(at timestamptz)
RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
           set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                   PLACING substring(int8send(floor(extract(epoch FROM at) * 1000)::bigint) FROM 3)
                                   FROM 1 FOR 6),
                           52, 1),
                   53, 1),
           'hex')::uuid
$$;
