BEGIN;
SELECT plan(4);
-- Version 1 gets a run, so a new shape makes version 2.
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT is((SELECT max(version) FROM pgflow.flows WHERE flow_slug = 'f'), 2, 'the new shape is version 2');

SELECT results_eq(
  $$SELECT run_id, flow_slug, flow_version, status, input
      FROM pgflow.start_flow(flow_slug => 'f', input => '{"x": 1}', run_id => '00000000-0000-0000-0000-000000000002')$$,
  $$VALUES ('00000000-0000-0000-0000-000000000002'::uuid, 'f', 2, 'started', '{"x": 1}'::jsonb)$$,
  'start_flow returns the new run, started on the latest version, with its input');
SELECT results_eq(
  $$SELECT flow_version, status FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000002'$$,
  $$VALUES (2, 'started')$$,
  'the run row is stored on version 2');
SELECT is((SELECT flow_version FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'), 1,
  'the earlier run keeps version 1');
SELECT * FROM finish();
ROLLBACK;
