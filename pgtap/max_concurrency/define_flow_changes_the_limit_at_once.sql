BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "max_concurrency": 1}]}');
SELECT pgflow.start_flow(flow_slug => 'f') FROM generate_series(1, 6);
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 1, 'limit 1: one claimed');
-- Same shape, a larger limit: a tunable, updated in place.
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "max_concurrency": 3}]}');
SELECT is((SELECT count(*)::int FROM pgflow.flows), 1, 'no new version for a new limit');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 2,
  'limit 3 applies to the next claim, also for runs already started: two more');
-- Lowered below what is in flight: nothing more until enough complete.
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "max_concurrency": 2}]}');
SELECT pgflow.complete_task(run_id => run_id, step_slug => 'a', output => '1')
  FROM (SELECT run_id FROM pgflow.step_tasks WHERE status = 'started' ORDER BY run_id LIMIT 1) AS t;
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 0,
  'lowered to 2 with 2 still in flight: nothing claimed');
-- Removed: unlimited.
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 3,
  'without a limit every remaining task is claimed');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status = 'started'), 5, 'five in flight');
SELECT * FROM finish();
ROLLBACK;
