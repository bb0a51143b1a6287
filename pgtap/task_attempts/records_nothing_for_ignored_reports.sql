BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second';
SELECT is((SELECT attempt FROM pgflow.claim_tasks(worker_id => 'w2')), 2, 'reclaimed as attempt 2');
-- The holder of attempt 1 reports a failure late: stale, ignored.
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                        error_message => 'stale', attempt => 1);
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1', attempt => 2);
-- A failure after the completion: ignored too.
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                        error_message => 'too late', attempt => 2);
SELECT is_empty($$SELECT * FROM pgflow.task_attempts WHERE error_message IN ('stale', 'too late')$$,
  'ignored failures are not recorded as attempts');
SELECT is((SELECT status FROM pgflow.runs), 'completed', 'the run completed');
SELECT * FROM finish();
ROLLBACK;
