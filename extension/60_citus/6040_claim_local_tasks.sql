-- claim_tasks on Citus: hands out claimable tasks from the shards of
-- pgflow.step_tasks stored on the node this runs on, and from no other node.
-- A claim is then a transaction of one node: it locks task rows of its own
-- shards (FOR UPDATE SKIP LOCKED, as on a single node), never a row or a lock
-- elsewhere, so claims scale with the nodes. A worker reaches a node's shards
-- through claim_node_tasks (a distributed function, routed by its route
-- argument to that node; citus_routes lists one route per node) and visits the
-- nodes in turn when one has nothing for it.
-- The shards are plain tables of this node, read and locked by name (Citus
-- plans a query on pgflow.step_tasks over all shards of all nodes, and cannot
-- lock rows that way); the names come from Citus' catalog. What a claim then
-- changes about a run (an expired lease, its task's input) goes through the
-- distributed tables by run_id, which Citus runs locally: the run's shards are
-- on this node, next to its tasks.
-- Order: higher priority first, then oldest first, within each shard (one
-- statement per shard picks and locks; the node's shards are taken in a turn
-- that differs per claim, and across nodes a worker takes what the node it
-- visits has). Limits are refused on Citus (_refuse_on_citus), so the claim
-- has none to count in.
-- Caller: claim_tasks (validated arguments, grants applied), after
-- _expire_local_leases, which rearms the worker and sets the commit mode.
CREATE OR REPLACE FUNCTION pgflow._claim_local_tasks(
  worker_id text, max_tasks int, flow_slugs text[], step_keys text[])
RETURNS TABLE (run_id uuid, flow_slug text, step_slug text, task_index int, attempt int, input jsonb,
               flow_version int, lease_expires_at timestamptz, lease_token uuid)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  c_sep constant text := chr(31);
  v_shard regclass;
  v_picked tid[];
  v_steps text[];
  v_step text;
  v_options record;
  v_timeouts jsonb := '{}'::jsonb;  -- flow, version, step -> its timeout, read once per claim
  v_task record;
  v_count int := 0;
BEGIN
  -- @plpgsql_check_options: without_warnings = true
  -- (its statements on a node's shards are dynamic SQL, which plpgsql_check cannot see into)
  PERFORM 'PRAGMA:DISABLE:CHECK';  -- shard names from Citus' catalog, quoted by regclass
  FOREACH v_shard IN ARRAY pgflow._local_shards('pgflow.step_tasks') LOOP
    EXIT WHEN v_count >= max_tasks;
    -- This shard's next tasks in claim order, locked SKIP LOCKED: one statement.
    EXECUTE format(
      'SELECT array_agg(q.ctid), array_agg(DISTINCT q.flow_slug || $4 || q.flow_version || $4 || q.step_slug) '
      'FROM (SELECT t.ctid, t.flow_slug, t.flow_version, t.step_slug FROM %s AS t '
      'WHERE t.status = ''queued'' AND t.available_at <= now() AND ' || pgflow._local_claim_filter() ||
      ' ORDER BY t.priority DESC, t.available_at LIMIT $3 FOR UPDATE OF t SKIP LOCKED) AS q', v_shard)
      INTO v_picked, v_steps USING flow_slugs, step_keys, max_tasks - v_count, c_sep;
    CONTINUE WHEN v_picked IS NULL;
    -- Their steps' timeouts (the lease), read at claim time, in statements of
    -- their own: Citus reads no reference table from within a statement on a shard.
    FOREACH v_step IN ARRAY v_steps LOOP
      CONTINUE WHEN v_timeouts ? v_step;
      SELECT o.timeout INTO v_options
        FROM pgflow._step_options(split_part(v_step, c_sep, 1), split_part(v_step, c_sep, 2)::int,
                                  split_part(v_step, c_sep, 3)) AS o;
      v_timeouts := v_timeouts || jsonb_build_object(v_step, v_options.timeout);
    END LOOP;
    FOR v_task IN EXECUTE format(
      'UPDATE %s AS t SET status = ''started'', attempt = t.attempt + 1, worker_id = $2, started_at = now(), '
      'lease_token = gen_random_uuid(), '
      'available_at = now() + make_interval(secs => ($3 ->> (t.flow_slug || $4 || t.flow_version || $4 || t.step_slug))::int) '
      'WHERE t.ctid = ANY ($1) '
      'RETURNING t.run_id, t.flow_slug, t.step_slug, t.task_index, t.attempt, t.item, t.flow_version, t.available_at, t.lease_token',
      v_shard)
      USING v_picked, worker_id, v_timeouts, c_sep
    LOOP
      v_count := v_count + 1;
      run_id := v_task.run_id;
      flow_slug := v_task.flow_slug;
      step_slug := v_task.step_slug;
      task_index := v_task.task_index;
      attempt := v_task.attempt;
      flow_version := v_task.flow_version;
      lease_expires_at := v_task.available_at;
      lease_token := v_task.lease_token;
      -- Through the distributed tables by run_id: the run's shards are on this node.
      input := CASE WHEN v_task.item IS NOT NULL THEN jsonb_build_object('item', v_task.item, 'index', v_task.task_index)
                    ELSE pgflow._step_input(v_task.run_id, v_task.flow_slug, v_task.flow_version, v_task.step_slug,
                                            (SELECT r.input FROM pgflow.runs AS r WHERE r.run_id = v_task.run_id)) END;
      RETURN NEXT;
    END LOOP;
  END LOOP;
  PERFORM 'PRAGMA:ENABLE:CHECK';
END;
$$;

-- claim_tasks' expired leases (see _expire_lease), from this node's shards.
-- Returns whether one was decided (claim_tasks then commits durably).
CREATE OR REPLACE FUNCTION pgflow._expire_local_leases(max_tasks int, flow_slugs text[], step_keys text[])
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_shard regclass;
  v_expired record;
  v_decided boolean := false;
  v_shards regclass[] := pgflow._local_shards('pgflow.step_tasks');
BEGIN
  -- @plpgsql_check_options: without_warnings = true
  -- (its statements on Citus' catalogs and shards are dynamic SQL, which plpgsql_check cannot see into)
  IF v_shards IS NULL THEN
    RAISE EXCEPTION 'claim_tasks on Citus runs on a node that holds pgflow''s shards, and this one holds none'
      USING ERRCODE = '0A000',
            DETAIL = 'Each claim takes tasks from the shards of one node (the coordinator usually holds none).',
            HINT = 'Call pgflow.claim_node_tasks(route => r.route, worker_id => ...) for the routes r of '
                   'pgflow.citus_routes(), which Citus runs on their nodes; pgflow worker does so by itself.';
  END IF;
  PERFORM 'PRAGMA:DISABLE:CHECK';  -- shard names from Citus' catalog, quoted by regclass
  FOREACH v_shard IN ARRAY v_shards LOOP
    FOR v_expired IN EXECUTE format(
        'SELECT t.run_id, t.step_slug, t.task_index, t.attempt FROM %s AS t '
        'WHERE t.status = ''started'' AND t.available_at <= now() AND ' || pgflow._local_claim_filter() ||
        ' ORDER BY t.available_at LIMIT $3 FOR UPDATE OF t SKIP LOCKED', v_shard)
      USING flow_slugs, step_keys, max_tasks
    LOOP
      v_decided := pgflow._expire_lease(v_expired.run_id, v_expired.step_slug, v_expired.task_index,
                                        v_expired.attempt) = 'decided' OR v_decided;
    END LOOP;
  END LOOP;
  PERFORM 'PRAGMA:ENABLE:CHECK';
  RETURN v_decided;
END;
$$;

-- The condition of the local claim's shard queries: the flows ($1) and steps
-- ($2, flow_slug/version/step_slug) the claim serves, as claim_tasks'.
CREATE OR REPLACE FUNCTION pgflow._local_claim_filter()
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT '($1::text[] IS NULL OR t.flow_slug = ANY ($1)) '
         'AND ($2::text[] IS NULL OR t.flow_slug || ''/'' || t.flow_version || ''/'' || t.step_slug = ANY ($2))'
$$;

-- The shards of a distributed pgflow table stored on this node (NULL: none),
-- in a turn that differs per call, so claimers on one node start on
-- different shards.
CREATE OR REPLACE FUNCTION pgflow._local_shards(relation regclass)
RETURNS regclass[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_shards regclass[];
BEGIN
  -- @plpgsql_check_options: without_warnings = true
  -- (its statements on Citus' catalogs and shards are dynamic SQL, which plpgsql_check cannot see into)
  PERFORM 'PRAGMA:DISABLE:CHECK';  -- Citus' catalogs and functions exist only where Citus is installed
  EXECUTE 'SELECT array_agg(shard_name($1, s.shardid)::regclass ORDER BY random()) '
          'FROM pg_catalog.pg_dist_shard AS s JOIN pg_catalog.pg_dist_placement AS p ON p.shardid = s.shardid '
          'WHERE s.logicalrelid = $1 AND p.groupid = (SELECT groupid FROM pg_catalog.pg_dist_local_group)'
     INTO v_shards USING relation;
  PERFORM 'PRAGMA:ENABLE:CHECK';
  RETURN v_shards;
END;
$$;

-- Whether this node's shards of pgflow.runs hold a run of the flow version
-- (for _guard_frozen_version on Citus, which fires on every node's copy of a
-- definition table; the nodes' answers together cover every run).
CREATE OR REPLACE FUNCTION pgflow._local_version_has_runs(flow_slug text, flow_version int)
RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_shard regclass;
  v_found boolean;
BEGIN
  PERFORM 'PRAGMA:DISABLE:CHECK';  -- shard names from Citus' catalog, quoted by regclass
  FOREACH v_shard IN ARRAY coalesce(pgflow._local_shards('pgflow.runs'), '{}'::regclass[]) LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s AS r WHERE r.flow_slug = $1 AND r.flow_version = $2)', v_shard)
       INTO v_found USING flow_slug, flow_version;
    IF v_found THEN
      RETURN true;
    END IF;
  END LOOP;
  PERFORM 'PRAGMA:ENABLE:CHECK';
  RETURN false;
END;
$$;
