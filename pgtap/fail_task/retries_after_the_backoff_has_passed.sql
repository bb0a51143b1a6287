-- Real time: each statement is its own transaction, so now() moves.
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 3, "base_delay": 1, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT is((SELECT attempt FROM pgflow.claim_tasks(worker_id => 'w1')), 1, 'attempt 1 claimed');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'boom', attempt => 1);
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'not claimable right after the failure');
SELECT pg_sleep(1.2);
SELECT results_eq($$SELECT step_slug, attempt FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('a', 2)$$, 'claimable as attempt 2 once base_delay (1 s) has passed');
SELECT is((SELECT status FROM pgflow.step_tasks), 'started', 'the task is started again');
SELECT * FROM finish();
