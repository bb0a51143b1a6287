BEGIN;
SELECT plan(2);
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "customer", "subflow": "enrich"}]}')$$,
  '42704', 'subflow step "customer" of flow "orders" names flow "enrich", which does not exist',
  'define_flow refuses a subflow naming an unknown flow');
SELECT pgflow.create_flow('orders');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'orders', step_slug => 'customer', subflow => 'enrich')$$,
  '42704', 'subflow step "customer" of flow "orders" names flow "enrich", which does not exist',
  'so does add_step');
SELECT * FROM finish();
ROLLBACK;
