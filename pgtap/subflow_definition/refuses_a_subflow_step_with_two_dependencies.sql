BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "a"}, {"slug": "b"},
    {"slug": "customer", "deps": ["a", "b"], "subflow": "enrich"}]}')$$,
  '42P17', 'subflow step "customer" of flow "orders" must have at most one dependency, it has 2 (a, b)',
  'a subflow step''s input is one dependency''s output: two are refused');
SELECT pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "a"}, {"slug": "b"}]}');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'orders', step_slug => 'customer', deps => '{a,b}', subflow => 'enrich')$$,
  '42P17', 'subflow step "customer" of flow "orders" must have at most one dependency, it has 2 (a, b)',
  'by add_step too');
SELECT * FROM finish();
ROLLBACK;
