BEGIN;
SELECT plan(3);

SELECT pgflow.define_flow(definition => '{"slug": "latest", "steps": [{"slug": "old_step"}]}');
SELECT pgflow.start_flow(flow_slug => 'latest', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.define_flow(definition => '{"slug": "latest", "steps": [{"slug": "new_step"}]}');

SELECT is(
  (SELECT r.flow_version FROM pgflow.start_flow(flow_slug => 'latest', run_id => '00000000-0000-0000-0000-000000000002') AS r),
  2,
  'a run started after version 2 was defined uses version 2');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000002'$$,
  $$VALUES ('new_step')$$,
  'its step states are version 2''s steps');
SELECT results_eq(
  $$SELECT run_id::text, flow_version FROM pgflow.runs ORDER BY run_id$$,
  $$VALUES ('00000000-0000-0000-0000-000000000001', 1), ('00000000-0000-0000-0000-000000000002', 2)$$,
  'the earlier run is still on version 1');

SELECT * FROM finish();
ROLLBACK;
