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
       AND p.prosrc ~* '\mEXECUTE\M'$$,
  'no pgflow function runs dynamic SQL (EXECUTE)');
SELECT * FROM finish();
ROLLBACK;
