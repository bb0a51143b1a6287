BEGIN;
CREATE ROLE pgflow_test_sec_worker_other NOLOGIN IN ROLE pgflow_worker;
CREATE SCHEMA app_private;
CREATE TABLE app_private.customers (id int, card text);
INSERT INTO app_private.customers VALUES (1, '4111 1111 1111 1111');
CREATE TABLE public.app_secrets (k text);
SELECT plan(5);
SELECT is_empty(
  $$SELECT b.rolname FROM pg_auth_members AS m JOIN pg_roles AS b ON b.oid = m.roleid
     WHERE m.member = 'pgflow_worker'::regrole$$,
  'pgflow_worker is a member of no other role (no pg_read_all_data and the like)');
SELECT ok(NOT (SELECT rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = 'pgflow_worker'),
  'pgflow_worker has no special attributes');
SET ROLE pgflow_test_sec_worker_other;
SELECT throws_ok($$SELECT * FROM app_private.customers$$, '42501', NULL, 'a worker cannot read another schema''s tables');
SELECT throws_ok($$SELECT * FROM public.app_secrets$$, '42501', NULL, 'nor tables in public');
SELECT throws_ok($$CREATE TABLE pgflow.mine (x int)$$, '42501', NULL, 'nor create objects in schema pgflow');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
