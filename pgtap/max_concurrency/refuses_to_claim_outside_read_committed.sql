BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "max_concurrency": 2, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f');
-- Counting tasks in flight from an old snapshot could exceed the limit: refused.
SELECT throws_like($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  '%must run in a READ COMMITTED transaction while concurrency limits are set, not REPEATABLE READ%',
  'claim_tasks refuses to count in-flight tasks from a REPEATABLE READ snapshot');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status = 'started'), 0, 'and claims nothing');
SELECT * FROM finish();
ROLLBACK;
