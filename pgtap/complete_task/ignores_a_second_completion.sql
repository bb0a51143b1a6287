BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '"first"');
CREATE TEMP TABLE tasks_before AS SELECT * FROM pgflow.step_tasks;
CREATE TEMP TABLE states_before AS SELECT * FROM pgflow.step_states;
CREATE TEMP TABLE runs_before AS SELECT * FROM pgflow.runs;
SELECT lives_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '"second"')$$,
  'completing twice is not an error (a NOTICE)');
SELECT is((SELECT output FROM pgflow.step_states WHERE step_slug = 'a'), '"first"'::jsonb, 'the first output stays');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM tasks_before$$, 'step_tasks unchanged: no second task for b');
SELECT set_eq($$SELECT * FROM pgflow.step_states$$, $$SELECT * FROM states_before$$, 'step_states unchanged');
SELECT set_eq($$SELECT * FROM pgflow.runs$$, $$SELECT * FROM runs_before$$, 'runs unchanged');
SELECT * FROM finish();
ROLLBACK;
