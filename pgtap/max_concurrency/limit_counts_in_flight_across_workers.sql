BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "max_concurrency": 2}]}');
SELECT pgflow.start_flow(flow_slug => 'f') FROM generate_series(1, 5);
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)), 1, 'worker 1 claims one');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w2', max_tasks => 10)), 1,
  'worker 2 gets only one: worker 1''s task counts against the limit');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w3', max_tasks => 10)), 0, 'worker 3 gets none');
SELECT results_eq($$SELECT worker_id, count(*)::int FROM pgflow.step_tasks WHERE status = 'started' GROUP BY worker_id ORDER BY 1$$,
  $$VALUES ('w1', 1), ('w2', 1)$$, 'two in flight, one per worker');
SELECT * FROM finish();
ROLLBACK;
