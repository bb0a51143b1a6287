-- The errors pgflow raises on Citus, callable on one node: a keyed start's run id is
-- the key's (a run_id of one's own must be that one), and an unsupported feature is
-- refused as not supported, naming the flow, the step and Citus.
BEGIN;
SELECT plan(4);
SELECT is(pgflow._keyed_run_id('f', 'k', NULL), pgflow.idempotent_run_id('f', 'k'), 'no run_id: the key''s');
SELECT is(pgflow._keyed_run_id('f', 'k', pgflow.idempotent_run_id('f', 'k')), pgflow.idempotent_run_id('f', 'k'),
  'the key''s own run_id is accepted');
SELECT throws_ok($$SELECT pgflow._keyed_run_id('f', 'k', '00000000-0000-0000-0000-000000000001')$$, '0A000',
  'a run_id of one''s own together with an idempotency_key is not supported on Citus (flow "f", run 00000000-0000-0000-0000-000000000001)',
  'another run_id with a key is refused, naming Citus');
SELECT throws_ok($$SELECT pgflow._refuse_on_citus('f', 's', 'max_concurrency, rate_limit and limit_key')$$, '0A000',
  'max_concurrency, rate_limit and limit_key of flow "f" (step "s") are not supported on Citus',
  'a limit is refused as not supported on Citus, naming flow and step');
SELECT * FROM finish();
ROLLBACK;
