-- A fan-out task that fails once is retried on its own, as a plain step's task
-- would be; the other tasks are untouched and the output is complete.
BEGIN;
SELECT plan(6);

SELECT pgflow.define_flow('{"slug": "retry_fan", "steps": [
  {"slug": "list"},
  {"slug": "each", "deps": ["list"], "fan_out": true, "max_attempts": 3, "base_delay": 0}]}');
SELECT pgflow.start_flow(flow_slug => 'retry_fan', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'list',
                            output => '[10, 20, 30]')
  FROM pgflow.claim_tasks(worker_id => 'w');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 3);

SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            task_index => 0, output => '11');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                        task_index => 1, error_message => 'flaky');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            task_index => 2, output => '33');

SELECT results_eq(
  $$SELECT task_index, status, attempt FROM pgflow.step_tasks WHERE step_slug = 'each' ORDER BY task_index$$,
  $$VALUES (0, 'completed', 1), (1, 'queued', 1), (2, 'completed', 1)$$,
  'only the failed task is queued again');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'each'), 'started',
  'the step waits for the retried task');
SELECT results_eq(
  $$SELECT task_index, attempt, input FROM pgflow.claim_tasks(worker_id => 'w2')$$,
  $$VALUES (1, 2, '{"item": 20, "index": 1}'::jsonb)$$,
  'the retry is attempt 2 of the same task, with the same input');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            task_index => 1, output => '22');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'each'$$,
  $$VALUES ('completed', '[11, 22, 33]'::jsonb)$$,
  'the step completes with every output, in index order');
SELECT is((SELECT status FROM pgflow.runs), 'completed', 'the run completes');
SELECT is((SELECT error_message FROM pgflow.runs), NULL, 'the run has no error');
SELECT * FROM finish();
ROLLBACK;
