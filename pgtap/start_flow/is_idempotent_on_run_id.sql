BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"n": 1}', run_id => '00000000-0000-0000-0000-000000000001');
CREATE TEMP TABLE counts_before AS
  SELECT (SELECT count(*) FROM pgflow.runs) AS runs, (SELECT count(*) FROM pgflow.step_states) AS states,
         (SELECT count(*) FROM pgflow.step_tasks) AS tasks;
CREATE TEMP TABLE second_call AS
  SELECT * FROM pgflow.start_flow(flow_slug => 'f', input => '{"n": 2}', run_id => '00000000-0000-0000-0000-000000000001');

SELECT is((SELECT run_id FROM second_call), '00000000-0000-0000-0000-000000000001'::uuid, 'the second call returns the same run');
SELECT is((SELECT input FROM second_call), '{"n": 1}'::jsonb, 'with the input of the first call');
SELECT is((SELECT input FROM pgflow.runs), '{"n": 1}'::jsonb, 'the stored input is still the first one');
SELECT results_eq(
  $$SELECT (SELECT count(*) FROM pgflow.runs), (SELECT count(*) FROM pgflow.step_states), (SELECT count(*) FROM pgflow.step_tasks)$$,
  $$SELECT runs, states, tasks FROM counts_before$$,
  'the second call starts nothing: same run, step state and task counts');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks), 1, 'still one task, for the root');
SELECT * FROM finish();
ROLLBACK;
