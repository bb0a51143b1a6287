BEGIN;
-- A role with no grants at all: what it can do is what PUBLIC can do.
CREATE ROLE pgflow_test_sec_nobody NOLOGIN;
SELECT plan(9);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT ok(NOT has_schema_privilege('pgflow_test_sec_nobody', 'pgflow', 'USAGE')
          AND NOT has_schema_privilege('pgflow_test_sec_nobody', 'pgflow', 'CREATE'),
  'no USAGE or CREATE on schema pgflow');
SELECT is_empty(
  $$SELECT c.oid::regclass FROM pg_class AS c, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS priv
     WHERE c.relnamespace = 'pgflow'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
       AND has_table_privilege('pgflow_test_sec_nobody', c.oid, priv)$$,
  'no privilege on any table');
SELECT is_empty(
  $$SELECT c.oid::regclass FROM pg_class AS c, unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) AS priv
     WHERE c.relnamespace = 'pgflow'::regnamespace AND c.relkind = 'S'
       AND has_sequence_privilege('pgflow_test_sec_nobody', c.oid, priv)$$,
  'no privilege on any sequence');
SELECT is_empty(
  $$SELECT p.oid::regprocedure FROM pg_proc AS p
     WHERE p.pronamespace = 'pgflow'::regnamespace AND has_function_privilege('pgflow_test_sec_nobody', p.oid, 'EXECUTE')$$,
  'EXECUTE on no function (a function created without a REVOKE would be executable by PUBLIC)');
SELECT is_empty(
  $$SELECT c.oid::regclass::text FROM pg_class AS c, aclexplode(c.relacl) AS a
     WHERE c.relnamespace = 'pgflow'::regnamespace AND a.grantee = 0
    UNION ALL
    SELECT p.oid::regprocedure::text FROM pg_proc AS p, aclexplode(p.proacl) AS a
     WHERE p.pronamespace = 'pgflow'::regnamespace AND a.grantee = 0$$,
  'no grant to PUBLIC on anything in pgflow');
SET ROLE pgflow_test_sec_nobody;
SELECT throws_ok($$SELECT * FROM pgflow.claim_tasks(worker_id => 'x')$$, '42501', NULL, 'it cannot claim');
SELECT throws_ok($$SELECT * FROM pgflow.runs$$, '42501', NULL, 'nor read runs');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "g", "steps": [{"slug": "a"}]}')$$, '42501', NULL, 'nor define flows');
SELECT throws_ok($$SELECT pgflow.run_input(run_id => '00000000-0000-0000-0000-000000000001')$$, '42501', NULL,
  'nor read a run input');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
