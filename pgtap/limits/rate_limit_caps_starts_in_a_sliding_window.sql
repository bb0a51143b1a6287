BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "rate_limit": 2, "rate_period": 60}]}');
SELECT pgflow.start_flow(flow_slug => 'f') FROM generate_series(1, 5);
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 2,
  'two starts allowed in the window');
-- Completing them frees no rate: the limit counts starts, not tasks in flight.
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => 'a', output => '1')
  FROM pgflow.step_tasks AS t WHERE t.status = 'started';
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 0,
  'no third start within rate_period, though nothing is in flight');
-- Age the window: the two starts are now 61 s old.
UPDATE pgflow.limit_counters SET recent_starts = ARRAY[now() - interval '61 seconds', now() - interval '30 seconds'];
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 1,
  'one start left the window: one more start');
UPDATE pgflow.limit_counters SET recent_starts = ARRAY[now() - interval '61 seconds'];
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 2,
  'an empty window allows rate_limit starts again');
SELECT * FROM finish();
ROLLBACK;
