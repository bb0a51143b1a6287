-- A lease is extended by at most 7 days (604800 s, documented): more is refused
-- and the lease stays as it was.
BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "timeout": 60, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT throws_ok(
  $$SELECT pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', attempt => 1, seconds => 604801)$$,
  '22023', 'seconds must be between 1 and 604800 (7 days), got 604801', 'more than 7 days is refused, naming seconds');
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', attempt => 1, seconds => 604800)
          - now(), interval '7 days', 'exactly 7 days is accepted');
SELECT is((SELECT available_at - now() FROM pgflow.step_tasks), interval '7 days', 'the lease ends in 7 days');
SELECT * FROM finish();
ROLLBACK;
