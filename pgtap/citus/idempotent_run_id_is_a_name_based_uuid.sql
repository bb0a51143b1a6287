-- The run id of a keyed start on Citus: the same for the same flow and key, different
-- otherwise, a version 8 (RFC 9562) UUID. The value is pinned: the Python client
-- computes it too (tests/test_citus_client.py checks the same value).
BEGIN;
SELECT plan(5);
SELECT is(pgflow.idempotent_run_id('chain', 'k1'), 'fbd0bdf4-a595-860f-8482-603db085f673'::uuid,
  'the id of (chain, k1) is pinned');
SELECT is(pgflow.idempotent_run_id('chain', 'k1'), pgflow.idempotent_run_id('chain', 'k1'), 'deterministic');
SELECT isnt(pgflow.idempotent_run_id('chain', 'k1'), pgflow.idempotent_run_id('other', 'k1'), 'another flow, another id');
SELECT isnt(pgflow.idempotent_run_id('chain', 'k1'), pgflow.idempotent_run_id('chain', 'k2'), 'another key, another id');
SELECT is(substr(pgflow.idempotent_run_id('a', 'b')::text, 15, 1) || (substr(pgflow.idempotent_run_id('a', 'b')::text, 20, 1) IN ('8', '9', 'a', 'b'))::text,
  '8true', 'version 8, RFC variant');
SELECT * FROM finish();
ROLLBACK;
