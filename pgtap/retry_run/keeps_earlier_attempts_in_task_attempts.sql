BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 2, "base_delay": 0, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'first 1');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w2');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'first 2');
SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w3');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'second 1');
SELECT results_eq(
  $$SELECT attempt, worker_id, error_message FROM pgflow.task_attempts ORDER BY attempt_id$$,
  $$VALUES (1, 'w1', 'first 1'), (2, 'w2', 'first 2'), (3, 'w3', 'second 1')$$,
  'the attempts from before the retry are kept, and the new ones follow');
SELECT pgflow.claim_tasks(worker_id => 'w4');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1');
SELECT is((SELECT count(*)::int FROM pgflow.task_attempts), 3, 'still there once the run completes');
SELECT * FROM finish();
ROLLBACK;
