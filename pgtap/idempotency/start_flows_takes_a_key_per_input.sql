BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"n": 0}', idempotency_key => 'b');
SELECT results_eq(
  $$SELECT input, idempotency_key FROM pgflow.start_flows(flow_slug => 'f', inputs => '[{"n": 1}, {"n": 2}, {"n": 3}]',
                                                         idempotency_keys => ARRAY['a', 'b', NULL])$$,
  $$VALUES ('{"n": 1}'::jsonb, 'a'), ('{"n": 0}', 'b'), ('{"n": 3}', NULL)$$,
  'keys align with inputs; a used key returns its run, in place');
SELECT is((SELECT count(*)::int FROM pgflow.runs), 3, 'two new runs');
SELECT throws_like($$SELECT pgflow.start_flows(flow_slug => 'f', inputs => '[{}, {}]', idempotency_keys => ARRAY['x'])$$,
  'start_flows of flow "f" got 2 inputs but 1 idempotency keys', 'keys and inputs must align');
SELECT * FROM finish();
ROLLBACK;
