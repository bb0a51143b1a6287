BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [
  {"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["a"]}, {"slug": "d", "deps": ["b", "c"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq(
  $$SELECT step_slug, status, remaining_deps FROM pgflow.step_states
     WHERE run_id = '00000000-0000-0000-0000-000000000001' ORDER BY step_slug$$,
  $$VALUES ('a', 'started', 0), ('b', 'created', 1), ('c', 'created', 1), ('d', 'created', 2)$$,
  'one step_states row per step: the root started, the others created with their dependency counts');
SELECT is((SELECT count(*)::int FROM pgflow.step_states), 4, 'no other step_states rows');
SELECT * FROM finish();
ROLLBACK;
