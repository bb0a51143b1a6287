BEGIN;
CREATE ROLE pgflow_test_sec_worker_internal NOLOGIN IN ROLE pgflow_worker;
-- Every internal (_-prefixed) function, called with NULL arguments of its types.
CREATE TEMP TABLE internals AS
SELECT p.proname AS name,
       format('SELECT pgflow.%I(%s)', p.proname,
              (SELECT coalesce(string_agg('NULL::' || format_type(t.type, NULL), ', ' ORDER BY t.i), '')
                 FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS t(type, i))) AS call
  FROM pg_proc AS p
 WHERE p.pronamespace = 'pgflow'::regnamespace AND p.proname ~ '^_' AND p.prorettype <> 'trigger'::regtype;
GRANT SELECT ON internals TO PUBLIC;
SELECT plan((SELECT count(*)::int + 3 FROM internals));
SELECT cmp_ok((SELECT count(*)::int FROM internals), '>=', 10, 'the schema has internal functions to test');
SELECT is_empty(
  $$SELECT p.oid::regprocedure FROM pg_proc AS p
     WHERE p.pronamespace = 'pgflow'::regnamespace AND p.proname ~ '^_'
       AND has_function_privilege('pgflow_test_sec_worker_internal', p.oid, 'EXECUTE')$$,
  'the worker has EXECUTE on no internal function (trigger functions included)');
SELECT results_eq(
  $$SELECT DISTINCT p.proname::text COLLATE "default" FROM pg_proc AS p
     WHERE p.pronamespace = 'pgflow'::regnamespace
       AND has_function_privilege('pgflow_test_sec_worker_internal', p.oid, 'EXECUTE')
     ORDER BY 1$$,
  $$VALUES ('citus_routes'), ('claim_node_tasks'), ('claim_tasks'), ('complete_task'), ('complete_tasks'),
           ('extend_lease'), ('fail_task'), ('idempotent_run_id'), ('run_input'), ('run_traceparent'),
           ('step_shapes'), ('tick'), ('version'), ('worker_heartbeat')$$,
  'what a worker may execute in pgflow is exactly the worker API: claim (claim_node_tasks and citus_routes on Citus), complete (one or a batch), fail, extend, run_input, run_traceparent, step_shapes, tick, heartbeat, version, idempotent_run_id');
SET ROLE pgflow_test_sec_worker_internal;
SELECT throws_ok(call, '42501', NULL, format('a worker cannot call pgflow.%s', name)) FROM internals ORDER BY name;
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
