BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 2, "base_delay": 0, "steps": [
  {"slug": "fetch"}, {"slug": "after", "deps": ["fetch"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'fetch', error_message => 'first error');
SELECT is((SELECT attempt FROM pgflow.claim_tasks(worker_id => 'w1')), 2, 'attempt 2 (the last) claimed');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'fetch',
                        error_message => 'connection refused', attempt => 2);
SELECT results_eq($$SELECT status, attempt, error_message FROM pgflow.step_tasks$$,
  $$VALUES ('failed', 2, 'connection refused')$$, 'the task failed with the last error');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'fetch'), 'failed', 'the step failed');
SELECT ok((SELECT error_message LIKE '%fetch%' AND error_message LIKE '%connection refused%'
             FROM pgflow.step_states WHERE step_slug = 'fetch'),
  'the step''s error_message names the step and the error');
SELECT results_eq($$SELECT status, error_message IS NOT NULL, finished_at IS NOT NULL FROM pgflow.runs$$,
  $$VALUES ('failed', true, true)$$, 'the run failed');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'after'), 0, 'the dependent never gets a task');
SELECT * FROM finish();
ROLLBACK;
