BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "enrich2", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "customer", "subflow": "enrich"}]}');
SELECT is((pgflow.flow_definition('orders') -> 'steps' -> 0 ->> 'subflow'), 'enrich', 'flow_definition carries the subflow');
SELECT is((pgflow.define_flow(pgflow.flow_definition('orders'))).version, 1, 'defining it again changes nothing');
SELECT is((pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "customer", "subflow": "enrich2"}]}')).version, 2,
  'naming another flow is a new shape: a new version');
SELECT pgflow.start_flow(flow_slug => 'orders');
SELECT throws_ok($$UPDATE pgflow.steps SET subflow = 'enrich' WHERE flow_slug = 'orders' AND flow_version = 2$$,
  '55000', NULL, 'a version with runs keeps its subflow');
SELECT * FROM finish();
ROLLBACK;
