BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '[
    {"run_id": "00000000-0000-0000-0000-000000000001", "step_slug": "a", "output": 1},
    {"run_id": "00000000-0000-0000-0000-0000000000ff", "step_slug": "a", "output": 2}]')$$,
  'P0002', 'run 00000000-0000-0000-0000-0000000000ff does not exist', 'an unknown run in the batch is an error');
SELECT is((SELECT status FROM pgflow.step_tasks), 'started', 'and the whole batch is rolled back');
SELECT * FROM finish();
ROLLBACK;
