BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.define_flow('{"slug": "g", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT throws_like(
  $$SELECT pgflow.start_flow(flow_slug => 'g', run_id => '00000000-0000-0000-0000-000000000001')$$,
  '%00000000-0000-0000-0000-000000000001%',
  'reusing a run_id for another flow is an error naming the run');
SELECT results_eq(
  $$SELECT flow_slug, status FROM pgflow.runs$$,
  $$VALUES ('f', 'started')$$,
  'the existing run is untouched and no run of g exists');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks), 1, 'no task was created');
SELECT * FROM finish();
ROLLBACK;
