BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT isnt(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', attempt => 1),
  NULL, 'before the cancel the lease is extended');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001');
CREATE TEMP TABLE tasks_before AS SELECT * FROM pgflow.step_tasks;
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', attempt => 1),
  NULL, 'after the cancel extend_lease returns NULL: the handler learns it should stop');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM tasks_before$$, 'and extends nothing');
SELECT * FROM finish();
ROLLBACK;
