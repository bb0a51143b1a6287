-- pgtap: plain layout only
-- pgflow.distribute() is for a Citus coordinator; elsewhere it says so and changes nothing.
BEGIN;
SELECT plan(4);
SELECT throws_ok($$SELECT * FROM pgflow.distribute()$$, '0A000',
  'pgflow.distribute() needs the citus extension in this database',
  'distribute() without Citus is refused as not supported, naming Citus');
SELECT is(pgflow._distributed(), false, 'a database without Citus is not distributed');
SELECT is_empty($$SELECT * FROM pgflow.citus_routes()$$, 'citus_routes() has no routes without Citus');
SELECT ok((SELECT i.indisunique FROM pg_index AS i WHERE i.indexrelid = 'pgflow.runs_idempotency_key_idx'::regclass),
  'single-node keeps the unique index on (flow_slug, idempotency_key)');
SELECT * FROM finish();
ROLLBACK;
