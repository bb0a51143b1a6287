BEGIN;
SELECT plan(5);
SELECT cmp_ok((SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'pgflow'::regnamespace AND prosecdef), '>=', 12,
  'the API functions are SECURITY DEFINER');
SELECT is_empty(
  $$SELECT p.oid::regprocedure FROM pg_proc AS p
     WHERE p.pronamespace = 'pgflow'::regnamespace AND p.prosecdef
       AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%')$$,
  'every SECURITY DEFINER function in pgflow has a pinned search_path');
SELECT is_empty(
  $$SELECT p.oid::regprocedure, c FROM pg_proc AS p, unnest(p.proconfig) AS c
     WHERE p.pronamespace = 'pgflow'::regnamespace AND p.prosecdef AND c LIKE 'search_path=%'
       AND (c ~* '\mpublic\M' OR c ~ '\$user' OR c !~ 'pg_temp')$$,
  'the pinned search_path names no schema others can write to (no public, no $user; pg_temp explicit, so last)');
SELECT is_empty(
  $$SELECT p.oid::regprocedure FROM pg_proc AS p, unnest(ARRAY['pgflow_worker', 'pgflow_reader', 'pgflow_admin']) AS r
     WHERE p.pronamespace = 'pgflow'::regnamespace AND has_function_privilege(r, p.oid, 'EXECUTE') AND NOT p.prosecdef$$,
  'every function a pgflow role may execute is SECURITY DEFINER (the roles have no table privileges to run it otherwise)');
SELECT is_empty(
  $$SELECT p.oid::regprocedure FROM pg_proc AS p
     WHERE p.pronamespace = 'pgflow'::regnamespace AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
       AND p.prosrc ~* '\mEXECUTE\M'
       -- The Citus functions (extension/60_citus): Citus' catalogs and a node's
       -- shards are only reachable by name, taken from Citus' catalog, never
       -- from an argument (distribute() is the owner's alone).
       AND p.oid::regprocedure::text NOT IN (
             'pgflow._citus_function(oid)', 'pgflow._citus_table(regclass)',
             'pgflow._claim_local_tasks(text,integer,text[],text[])', 'pgflow._distributed()',
             'pgflow._expire_local_leases(integer,text[],text[])', 'pgflow._local_shards(regclass)',
             'pgflow._local_version_has_runs(text,integer)', 'pgflow._on_every_node(text)',
             'pgflow.citus_routes()', 'pgflow.distribute(integer)',
             -- Partitioned history (extension/45_history): DDL over pgflow's own
             -- tables, named from the catalog; the only values from arguments are
             -- instants, which reach the SQL as %L literals of uuid bounds.
             'pgflow._grant_as(regclass,regclass)', 'pgflow._history_layout_chosen()', 'pgflow._keep_in_extension(regclass)',
             'pgflow._make_history_set(timestamp with time zone,timestamp with time zone)',
             'pgflow._partition_history_table(regclass)', 'pgflow._prune_history_sets(timestamp with time zone)',
             'pgflow._repoint_to_parents(regclass[])')$$,
  'no pgflow function runs dynamic SQL (EXECUTE) but the Citus and partitioned-history ones');
SELECT * FROM finish();
ROLLBACK;
