-- pgflow serializes definitions and limited claims on rows of pgflow.flow_locks,
-- so that no role but the owner can hold those locks: locking a row needs UPDATE
-- on the table, which no pgflow role has (readers may only SELECT, workers and
-- admins have no table privilege at all).
BEGIN;
CREATE ROLE pgflow_test_lock_reader NOLOGIN IN ROLE pgflow_reader;
CREATE ROLE pgflow_test_lock_worker NOLOGIN IN ROLE pgflow_worker;
CREATE ROLE pgflow_test_lock_admin NOLOGIN IN ROLE pgflow_admin;
SELECT plan(7);
SELECT pgflow.define_flow('{"slug": "f", "max_concurrency": 1, "steps": [{"slug": "a"}]}');
SELECT is((SELECT count(*)::int FROM pgflow.flow_locks WHERE flow_slug = 'f'), 1, 'the definition made the flow''s lock row');
SELECT ok(NOT has_table_privilege(r, 'pgflow.flow_locks', 'UPDATE'), format('%s has no UPDATE on flow_locks', r))
  FROM unnest(ARRAY['pgflow_test_lock_reader', 'pgflow_test_lock_worker', 'pgflow_test_lock_admin', 'public']) AS r;
SET ROLE pgflow_test_lock_reader;
SELECT throws_ok($$SELECT * FROM pgflow.flow_locks FOR NO KEY UPDATE$$, '42501', NULL, 'a reader cannot lock them');
SELECT throws_ok($$SELECT * FROM pgflow.flow_locks FOR KEY SHARE$$, '42501', NULL, 'not even FOR KEY SHARE');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
