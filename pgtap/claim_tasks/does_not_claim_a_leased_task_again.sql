BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1')), 1, 'the first claim takes the task');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w2')$$, 'a second claim gets nothing while the lease runs');
SELECT results_eq(
  $$SELECT status, attempt, worker_id FROM pgflow.step_tasks$$,
  $$VALUES ('started', 1, 'w1')$$,
  'the task stays with the first worker, attempt 1');
SELECT * FROM finish();
ROLLBACK;
