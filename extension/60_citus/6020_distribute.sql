-- pgflow on Citus: run once on the coordinator, after CREATE EXTENSION citus,
-- citus_add_node of the workers and CREATE EXTENSION pgflow (which Citus runs
-- on every node). Distributes pgflow's tables and its hot-path functions:
--   - every table with a run_id column (runs, step_states, step_tasks,
--     fan_out_shards, task_attempts, run_watchers, and whatever is added
--     later, found in the catalog) is distributed by run_id, co-located with
--     pgflow.runs: everything about one run lives in one shard group, on one
--     node, so each report about a run is a transaction on that node;
--   - the definition tables (every other table, but the node-local ones below:
--     flows, steps, deps, flow_locks, flow_grants, flow_limits, schedules,
--     ...) become reference tables: a copy on every node, read locally by the
--     hot path, written (rarely: definitions) on all nodes at once;
--   - node-local tables stay plain tables on each node: workers (the worker
--     registry that decides wake-ups; heartbeats go to the node a worker
--     connects to) and the limit counters (limits are not supported on Citus,
--     see _refuse_on_citus; they stay empty);
--   - every API function with a run_id argument (start_flow_routed,
--     complete_task, fail_task, extend_lease, cancel_run, retry_run,
--     run_input, watch_run, send_signal, ...) becomes a distributed function
--     by run_id, co-located with pgflow.runs: the coordinator forwards the
--     call to the node of the run, which runs it locally; claim_node_tasks is
--     distributed by its route (a uuid that falls into a shard of the node to
--     claim on, see citus_routes). Not start_flow, whose run_id may be NULL
--     (see start_flow_routed): it runs on the coordinator, each of its
--     statements routed to the run's node.
-- Schema changes it makes (Citus keeps uniqueness only with the distribution
-- column; single-node keeps the constraints of 0000_tables.sql):
--   - task_attempts' primary key becomes (run_id, attempt_id);
--   - runs_idempotency_key_idx becomes a plain index: on Citus the run id of a
--     run with an idempotency key is pgflow.idempotent_run_id(flow, key), so
--     the run_id primary key makes the key unique per flow;
--   - the foreign keys among pgflow's tables are dropped and recreated as
--     they were (Citus distributes a table only with the tables it refers to).
-- These changes are made on every node (_on_every_node): CREATE EXTENSION
-- made pgflow's tables on the workers too, which become the shells Citus
-- keeps there, and must match.
-- Any other unique index of a run table without run_id is refused with its
-- name (it could not stay unique). Idempotent: on a distributed database it
-- distributes what is not yet (a function or table added by an update).
-- Returns what it did, one line per object.
CREATE OR REPLACE FUNCTION pgflow.distribute(shard_count int DEFAULT NULL)
RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  v_coordinator boolean;
  v_table regclass;
  v_fk record;
  v_fks text[] := '{}'::text[];
  v_function regprocedure;
  v_index record;
  v_run_tables regclass[];
  c_node_local constant text[] := ARRAY['workers', 'limit_counters', 'limit_releases'];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e WHERE e.extname = 'citus') THEN
    RAISE EXCEPTION 'pgflow.distribute() needs the citus extension in this database'
      USING ERRCODE = '0A000',
            HINT = 'Install Citus (shared_preload_libraries = ''citus''), CREATE EXTENSION citus, add the worker nodes, then call it on the coordinator.';
  END IF;
  PERFORM 'PRAGMA:DISABLE:CHECK';  -- Citus' catalogs and functions exist only where Citus is installed
  EXECUTE 'SELECT citus_is_coordinator()' INTO v_coordinator;
  IF NOT v_coordinator THEN
    RAISE EXCEPTION 'pgflow.distribute() runs on the Citus coordinator, not on a worker node'
      USING ERRCODE = '0A000', HINT = 'Connect to the coordinator and call it there.';
  END IF;
  IF EXISTS (SELECT 1 FROM pgflow.history_layout) THEN
    RAISE EXCEPTION 'pgflow.distribute() cannot distribute partitioned history'
      USING ERRCODE = '0A000', HINT = 'Citus shards the run-keyed tables by run_id instead: distribute a database whose history is not partitioned.';
  END IF;
  IF shard_count IS NOT NULL AND (shard_count < 1 OR shard_count > 64000) THEN
    RAISE EXCEPTION 'shard_count must be between 1 and 64000, got %', shard_count
      USING ERRCODE = '22023', HINT = 'Leave it out for citus.shard_count.';
  END IF;
  PERFORM pgflow._refuse_on_citus(l.flow_slug, l.step_slug, 'max_concurrency, rate_limit and limit_key')
     FROM pgflow.flow_limits AS l
    WHERE l.max_concurrency IS NOT NULL OR l.rate_limit IS NOT NULL OR l.limit_key IS NOT NULL
    LIMIT 1;
  PERFORM pgflow._refuse_unsupported_on_citus();

  v_run_tables := ARRAY(
    SELECT c.oid::regclass FROM pg_catalog.pg_class AS c
      JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attname = 'run_id' AND NOT a.attisdropped
     WHERE c.relnamespace = 'pgflow'::regnamespace AND c.relkind IN ('r', 'p')
     ORDER BY c.relname = 'runs' DESC, c.relname);
  FOR v_index IN
    SELECT i.indexrelid::regclass AS index_name, i.indrelid::regclass AS table_name
      FROM pg_catalog.pg_index AS i
     WHERE i.indisunique AND i.indrelid = ANY (v_run_tables)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS a
                        WHERE a.attrelid = i.indrelid AND a.attname = 'run_id' AND a.attnum = ANY (i.indkey))
       AND i.indexrelid::regclass::text NOT IN ('pgflow.runs_idempotency_key_idx', 'pgflow.task_attempts_pkey',
                                                'pgflow.runs_schedule_slot_idx')
  LOOP
    RAISE EXCEPTION 'cannot distribute %: its unique index % does not include run_id', v_index.table_name, v_index.index_name
      USING ERRCODE = '0A000',
            DETAIL = 'A Citus distributed table can only enforce uniqueness within a shard, i.e. with the distribution column run_id.',
            HINT = 'Derive the run_id from the unique key (as pgflow.idempotent_run_id does), then replace the index in pgflow.distribute().';
  END LOOP;

  -- Foreign keys first: Citus distributes a table only once the tables it
  -- refers to are (and would turn the rest of the graph into "local" tables).
  FOR v_fk IN
    SELECT k.conrelid::regclass AS table_name, k.conname, pg_catalog.pg_get_constraintdef(k.oid) AS definition
      FROM pg_catalog.pg_constraint AS k
     WHERE k.contype = 'f' AND k.connamespace = 'pgflow'::regnamespace
       AND NOT pgflow._citus_table(k.conrelid)
     ORDER BY k.conrelid, k.conname
  LOOP
    PERFORM pgflow._on_every_node(format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', v_fk.table_name, v_fk.conname));
    v_fks := v_fks || format('ALTER TABLE %s ADD CONSTRAINT %I %s', v_fk.table_name, v_fk.conname, v_fk.definition);
  END LOOP;

  IF to_regclass('pgflow.runs_idempotency_key_idx') IS NOT NULL
     AND (SELECT i.indisunique FROM pg_catalog.pg_index AS i WHERE i.indexrelid = 'pgflow.runs_idempotency_key_idx'::regclass) THEN
    PERFORM pgflow._on_every_node('DROP INDEX IF EXISTS pgflow.runs_idempotency_key_idx');
    PERFORM pgflow._on_every_node('CREATE INDEX runs_idempotency_key_idx ON pgflow.runs (flow_slug, idempotency_key) '
                                  'WHERE idempotency_key IS NOT NULL');
    RETURN NEXT 'runs_idempotency_key_idx: a plain index (run ids of keyed runs are pgflow.idempotent_run_id)';
  END IF;
  IF to_regclass('pgflow.runs_schedule_slot_idx') IS NOT NULL THEN
    -- Schedules are refused on Citus (_refuse_unsupported_on_citus): no slot runs.
    PERFORM pgflow._on_every_node('DROP INDEX IF EXISTS pgflow.runs_schedule_slot_idx');
    RETURN NEXT 'runs_schedule_slot_idx: dropped (schedules are not supported on Citus)';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_index AS i
              WHERE i.indexrelid = 'pgflow.task_attempts_pkey'::regclass AND i.indnatts = 1) THEN
    PERFORM pgflow._on_every_node('ALTER TABLE pgflow.task_attempts DROP CONSTRAINT task_attempts_pkey, '
                                  'ADD CONSTRAINT task_attempts_pkey PRIMARY KEY (run_id, attempt_id)');
    RETURN NEXT 'task_attempts_pkey: (run_id, attempt_id)';
  END IF;

  -- Foreign keys to reference tables: Citus needs one connection per node.
  PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
  -- Triggers on distributed and reference tables run on their shards; ours
  -- only touch the rows of the same shard group or node-local tables.
  PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
  FOR v_table IN
    SELECT c.oid::regclass FROM pg_catalog.pg_class AS c
     WHERE c.relnamespace = 'pgflow'::regnamespace AND c.relkind IN ('r', 'p')
       AND c.oid <> ALL (v_run_tables) AND c.relname <> ALL (c_node_local)
       AND NOT pgflow._citus_table(c.oid)
     ORDER BY c.relname
  LOOP
    EXECUTE 'SELECT create_reference_table($1)' USING v_table;
    RETURN NEXT format('%s: reference table', v_table);
  END LOOP;
  FOREACH v_table IN ARRAY v_run_tables LOOP
    CONTINUE WHEN pgflow._citus_table(v_table);
    IF v_table = 'pgflow.runs'::regclass THEN
      EXECUTE 'SELECT create_distributed_table($1, ''run_id'', shard_count => coalesce($2, current_setting(''citus.shard_count'')::int))'
        USING v_table, shard_count;
    ELSE
      EXECUTE 'SELECT create_distributed_table($1, ''run_id'', colocate_with => ''pgflow.runs'')' USING v_table;
    END IF;
    RETURN NEXT format('%s: distributed by run_id', v_table);
  END LOOP;
  FOREACH v_fk.definition IN ARRAY v_fks LOOP
    EXECUTE v_fk.definition;
  END LOOP;

  FOR v_function IN
    SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
     WHERE p.pronamespace = 'pgflow'::regnamespace AND p.proname !~ '^_' AND p.prokind = 'f'
       AND p.proname <> 'start_flow'  -- its run_id may be NULL: start_flow_routed is the routed start
       AND (p.proname = 'claim_node_tasks'
            OR EXISTS (SELECT 1 FROM unnest(p.proargnames, p.proargmodes) AS a(name, mode)
                        WHERE a.name = 'run_id' AND coalesce(a.mode, 'i') IN ('i', 'b')))
       AND NOT pgflow._citus_function(p.oid)
     ORDER BY p.proname
  LOOP
    EXECUTE 'SELECT create_distributed_function($1, $2, colocate_with => ''pgflow.runs'')'
      USING v_function, CASE WHEN v_function::text LIKE 'pgflow.claim_node_tasks(%' THEN 'route' ELSE 'run_id' END;
    RETURN NEXT format('%s: distributed function', v_function);
  END LOOP;
  PERFORM 'PRAGMA:ENABLE:CHECK';
END;
$$;

-- Runs a DDL command on this node (the coordinator) and on every worker node,
-- for the tables CREATE EXTENSION made on each node before Citus knows them
-- (Citus does not propagate DDL of plain tables). The workers' part commits
-- on its own (run_command_on_workers): those are the empty tables Citus
-- uses as shells, so a failure later leaves no data behind, and the commands
-- are idempotent for the next try.
CREATE OR REPLACE FUNCTION pgflow._on_every_node(command text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_failure record;
BEGIN
  -- @plpgsql_check_options: without_warnings = true
  -- (its statements on Citus' catalogs and shards are dynamic SQL, which plpgsql_check cannot see into)
  PERFORM 'PRAGMA:DISABLE:CHECK';  -- Citus' catalogs and functions exist only where Citus is installed
  EXECUTE command;  -- distribute()'s own DDL (made with format(%I) from the catalog)
  FOR v_failure IN EXECUTE
    'SELECT nodename, nodeport, result FROM run_command_on_workers($1) WHERE NOT success' USING command
  LOOP
    RAISE EXCEPTION 'pgflow.distribute(): % failed on node %:%: %', command, v_failure.nodename, v_failure.nodeport,
      v_failure.result
      USING ERRCODE = '55000', HINT = 'Fix the node, then call pgflow.distribute() again (it is idempotent).';
  END LOOP;
  PERFORM 'PRAGMA:ENABLE:CHECK';
END;
$$;
