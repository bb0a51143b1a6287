BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT is((SELECT array_agg(priority) FROM pgflow.start_flows(flow_slug => 'f', inputs => '[{}, {}]', priority => 3)),
  ARRAY[3, 3], 'every run gets the priority');
SELECT throws_like($$SELECT pgflow.start_flow(flow_slug => 'f', priority => NULL)$$,
  'priority of a run of flow "f" must not be null', 'a null priority is refused');
SELECT * FROM finish();
ROLLBACK;
