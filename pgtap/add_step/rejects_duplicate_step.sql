BEGIN;
SELECT plan(4);

SELECT pgflow.create_flow(flow_slug => 'dup');
SELECT pgflow.add_step(flow_slug => 'dup', step_slug => 'a');
SELECT pgflow.add_step(flow_slug => 'dup', step_slug => 'b', deps => ARRAY['a']);

SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'dup', step_slug => 'b')$$, '42710', NULL,
  'adding a step slug twice raises 42710');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'dup', step_slug => 'b')$$, '%"b"%',
  'the message names the duplicate step');
SELECT results_eq(
  $$SELECT step_slug, deps_count FROM pgflow.steps WHERE flow_slug = 'dup' ORDER BY step_index$$,
  $$VALUES ('a', 0), ('b', 1)$$,
  'the existing steps are unchanged');
SELECT results_eq(
  $$SELECT step_slug, dep_slug FROM pgflow.deps WHERE flow_slug = 'dup'$$,
  $$VALUES ('b', 'a')$$,
  'the existing dependencies are unchanged');

SELECT * FROM finish();
ROLLBACK;
