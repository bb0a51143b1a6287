-- A fan-out task's failure that arrives late, after its run was cancelled, and
-- again after the run was retried (the task re-queued, its lease gone): both are
-- ignored with a NOTICE; the cancel stays as it was, and the retried run's task
-- keeps its fresh attempt budget and is claimable.
BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [{"slug": "items"}, {"slug": "each", "deps": ["items"], "fan_out": true}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'items', output => '[1, 2]');
CREATE TEMP TABLE claimed AS SELECT * FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001', reason => 'stop');
SELECT is((SELECT status FROM pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
  error_message => 'late', task_index => 0, attempt => 1, lease_token => (SELECT lease_token FROM claimed WHERE task_index = 0))),
  'cancelled', 'a failure after the cancel is ignored');
SELECT results_eq($$SELECT status, error_message FROM pgflow.runs$$, $$VALUES ('cancelled', 'cancelled: stop')$$,
  'the run stays cancelled with its reason');
SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT is((SELECT status FROM pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
  error_message => 'late', task_index => 0, attempt => 1, lease_token => (SELECT lease_token FROM claimed WHERE task_index = 0))),
  'queued', 'the same failure after the retry is ignored too');
SELECT results_eq($$SELECT (SELECT status FROM pgflow.runs), (SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w2'))$$,
  $$VALUES ('started', 2)$$, 'the retried run goes on: both tasks are claimable');
SELECT * FROM finish();
ROLLBACK;
