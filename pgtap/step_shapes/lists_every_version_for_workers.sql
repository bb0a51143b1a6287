BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f');
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "z"}, {"slug": "b", "deps": ["z", "a"], "fan_out": false}]}');
CREATE ROLE pgflow_test_shapes_worker IN ROLE pgflow_worker;
SET ROLE pgflow_test_shapes_worker;
SELECT results_eq(
  $$SELECT flow_slug, flow_version, step_slug, fan_out, deps FROM pgflow.step_shapes(flow_slugs => ARRAY['f', 'other'])$$,
  $$VALUES ('f', 1, 'a', false, '{}'::text[]), ('f', 1, 'b', false, '{a}'),
           ('f', 2, 'a', false, '{}'), ('f', 2, 'z', false, '{}'), ('f', 2, 'b', false, '{a,z}')$$,
  'a worker reads the shape of every version it may route by: steps in order, sorted deps');
SELECT throws_ok($$SELECT * FROM pgflow.steps$$, '42501', NULL, 'without reading the definition tables');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
