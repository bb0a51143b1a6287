-- A heartbeat under a lease_token that is not the task's current one returns
-- NULL (the caller no longer holds the task) and leaves the lease alone.
BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
CREATE TEMP TABLE claimed AS SELECT * FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', attempt => 1,
  seconds => 3600, lease_token => gen_random_uuid()), NULL, 'another token: not extended');
SELECT is((SELECT available_at FROM pgflow.step_tasks), (SELECT lease_expires_at FROM claimed), 'the lease is unchanged');
SELECT isnt(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', attempt => 1,
  seconds => 3600, lease_token => (SELECT lease_token FROM claimed)), NULL, 'the current token: extended');
SELECT * FROM finish();
ROLLBACK;
