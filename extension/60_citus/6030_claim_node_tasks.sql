-- claim_tasks, run on the node that holds the shard of route: on Citus a
-- distributed function by route (pgflow.distribute()), so the coordinator
-- hands the call to that node, which claims from its own shards only (see
-- _claim_local_tasks). pgflow.citus_routes() gives a route per node; a worker
-- claims through one route and moves to the next when it finds nothing.
-- Without Citus, route is ignored: it is claim_tasks.
CREATE OR REPLACE FUNCTION pgflow.claim_node_tasks(
  route uuid, worker_id text, max_tasks int DEFAULT 10, flow_slugs text[] DEFAULT NULL, step_keys text[] DEFAULT NULL)
RETURNS TABLE (run_id uuid, flow_slug text, step_slug text, task_index int, attempt int, input jsonb,
               flow_version int, lease_expires_at timestamptz, lease_token uuid)
LANGUAGE plpgsql
SET jit = off
AS $$
DECLARE
  v_nested text := current_setting('citus.allow_nested_distributed_execution', true);
BEGIN
  IF route IS NULL THEN
    RAISE EXCEPTION 'claim_node_tasks needs a route' USING ERRCODE = '22004',
      HINT = 'Take one of pgflow.citus_routes(), or call pgflow.claim_tasks.';
  END IF;
  -- Citus runs this function on the route's node, where claim_tasks' queries
  -- by run_id (a task's input, an expired lease) run from within this call:
  -- "nested" to Citus, which refuses that by default because a function
  -- pushed down into a multi-shard query might see other shards at another
  -- moment. Here every query is about a run whose shards are on this node
  -- (its task was read from them), so they run locally, in this transaction.
  IF v_nested IS NOT NULL THEN
    PERFORM set_config('citus.allow_nested_distributed_execution', 'on', true);
  END IF;
  RETURN QUERY SELECT * FROM pgflow.claim_tasks(worker_id, max_tasks, flow_slugs, step_keys);
  IF v_nested IS NOT NULL THEN
    PERFORM set_config('citus.allow_nested_distributed_execution', v_nested, true);
  END IF;
END;
$$;

-- One route per Citus node that holds pgflow's runs: a uuid whose shard of
-- pgflow.runs is on that node (the same every call while the shards stay
-- where they are), for claim_node_tasks. No rows without Citus. Routes follow
-- shards: after a rebalance a worker's next refresh reads them anew.
CREATE OR REPLACE FUNCTION pgflow.citus_routes()
RETURNS TABLE (route uuid, node_name text, node_port int, shards int)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
  v_probe int := 0;
  v_node record;
BEGIN
  -- @plpgsql_check_options: without_warnings = true
  -- (its statements on Citus' catalogs and shards are dynamic SQL, which plpgsql_check cannot see into)
  IF NOT pgflow._distributed() THEN
    RETURN;
  END IF;
  PERFORM 'PRAGMA:DISABLE:CHECK';  -- Citus' catalogs and functions exist only where Citus is installed
  FOR v_node IN EXECUTE
    'SELECT n.nodename, n.nodeport, count(*)::int AS shards FROM pg_catalog.pg_dist_shard AS s '
    'JOIN pg_catalog.pg_dist_placement AS p ON p.shardid = s.shardid '
    'JOIN pg_catalog.pg_dist_node AS n ON n.groupid = p.groupid AND n.noderole = ''primary'' '
    'WHERE s.logicalrelid = ''pgflow.runs''::regclass GROUP BY 1, 2 ORDER BY 1, 2'
  LOOP
    node_name := v_node.nodename;
    node_port := v_node.nodeport;
    shards := v_node.shards;
    route := NULL;
    -- Deterministic probes (md5 of a counter) until one falls on this node.
    WHILE route IS NULL AND v_probe < 100000 LOOP
      EXECUTE 'SELECT CASE WHEN n.nodename = $2 AND n.nodeport = $3 THEN $1 END '
              'FROM pg_catalog.pg_dist_placement AS p JOIN pg_catalog.pg_dist_node AS n ON n.groupid = p.groupid '
              'WHERE p.shardid = get_shard_id_for_distribution_column(''pgflow.runs'', $1) AND n.noderole = ''primary'''
         INTO route USING md5('pgflow route ' || v_probe)::uuid, v_node.nodename, v_node.nodeport;
      v_probe := v_probe + 1;
    END LOOP;
    RETURN NEXT;
  END LOOP;
  PERFORM 'PRAGMA:ENABLE:CHECK';
END;
$$;
