-- The worker_id of a subflow step's tasks: they are held by child runs, not by
-- a worker (_start_children). claim_tasks lets such a task through its flow
-- and step filters when it is due (a child to start, a report to apply), and
-- no worker may take the name (_check_worker_id reserves the prefix "pgflow:").
CREATE OR REPLACE FUNCTION pgflow._subflow_holder()
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'pgflow:subflow'::text
$$;
