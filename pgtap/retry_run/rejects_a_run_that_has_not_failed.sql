BEGIN;
SELECT plan(7);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000002');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'a', output => '1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'b', output => '2');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1');
CREATE TEMP TABLE runs_before AS SELECT * FROM pgflow.runs;
CREATE TEMP TABLE states_before AS SELECT * FROM pgflow.step_states;
CREATE TEMP TABLE tasks_before AS SELECT * FROM pgflow.step_tasks;
SELECT throws_ok($$SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001')$$,
  '55000', NULL, 'retrying a started run raises 55000 (object not in prerequisite state)');
SELECT throws_like($$SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001')$$,
  '%started%', 'the message says the run is started');
SELECT throws_ok($$SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000002')$$,
  '55000', NULL, 'retrying a completed run raises 55000');
SELECT throws_ok($$SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-0000000000ff')$$,
  'P0002', NULL, 'retrying an unknown run raises P0002');
SELECT set_eq($$SELECT * FROM pgflow.runs$$, $$SELECT * FROM runs_before$$, 'no run changed');
SELECT set_eq($$SELECT * FROM pgflow.step_states$$, $$SELECT * FROM states_before$$, 'no step changed');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM tasks_before$$, 'no task changed');
SELECT * FROM finish();
ROLLBACK;
