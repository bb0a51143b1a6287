BEGIN;
SELECT plan(3);
-- A step completes either with a signal's payload or with its child run's
-- output: both at once is refused, naming the step, by both paths.
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "orders", "steps": [
    {"slug": "customer", "subflow": "enrich", "signal": true}]}')$$,
  '22023', 'subflow step "customer" of flow "orders" cannot be a signal step too',
  'define_flow refuses a subflow step that is a signal step');
SELECT pgflow.create_flow(flow_slug => 'orders');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'orders', step_slug => 'customer', subflow => 'enrich', signal => true)$$,
  '22023', 'subflow step "customer" of flow "orders" cannot be a signal step too',
  'so does add_step');
SELECT is((SELECT count(*) FROM pgflow.steps WHERE flow_slug = 'orders'), 0::bigint, 'and nothing is written');
SELECT * FROM finish();
ROLLBACK;
