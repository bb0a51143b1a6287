-- claim_tasks hands out at most 1000 tasks per call (documented in the README):
-- a larger max_tasks is refused with an error naming the argument and the cap.
BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flows(flow_slug => 'f', inputs => (SELECT jsonb_agg(i) FROM generate_series(1, 1001) AS i));
SELECT throws_ok($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1001)$$, '22023',
  'max_tasks must be between 1 and 1000, got 1001', 'max_tasks 1001 is refused, naming the argument and the cap');
SELECT throws_ok($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 2147483647)$$, '22023', NULL,
  'so is the largest int');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1000)), 1000,
  'max_tasks 1000 claims 1000');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status = 'queued'), 1, 'the rest stays queued');
SELECT * FROM finish();
ROLLBACK;
