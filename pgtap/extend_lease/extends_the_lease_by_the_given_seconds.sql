BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "timeout": 60, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', attempt => 1, seconds => 300),
  now() + interval '300 seconds', 'extend_lease returns now() + seconds');
SELECT results_eq($$SELECT status, attempt, available_at - now() FROM pgflow.step_tasks$$,
  $$VALUES ('started', 1, interval '300 seconds')$$, 'the lease (available_at) is now() + 300 s, the task still held');
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', seconds => 5),
  now() + interval '5 seconds', 'without attempt it extends the current one; the expiry is now() + seconds, not added');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w2')$$, 'the task is not claimable while the lease runs');
SELECT * FROM finish();
ROLLBACK;
