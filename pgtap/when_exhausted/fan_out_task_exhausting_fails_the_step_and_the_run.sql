-- One fan-out task exhausting its attempts (when_exhausted = fail) fails the step
-- and the run; the step's other tasks, in flight, are cancelled.
BEGIN;
SELECT plan(5);

SELECT pgflow.define_flow('{"slug": "fan_fail", "steps": [
  {"slug": "list"}, {"slug": "each", "deps": ["list"], "fan_out": true, "max_attempts": 1},
  {"slug": "after", "deps": ["each"]}]}');
SELECT pgflow.start_flow(flow_slug => 'fan_fail', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'list', output => '[1, 2, 3, 4]')
  FROM pgflow.claim_tasks(worker_id => 'w');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10);
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each', task_index => 0, output => '10');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each', task_index => 1,
                        error_message => 'bad item 2');

SELECT results_eq(
  $$SELECT task_index, status FROM pgflow.step_tasks WHERE step_slug = 'each' ORDER BY task_index$$,
  $$VALUES (0, 'completed'), (1, 'failed'), (2, 'cancelled'), (3, 'cancelled')$$,
  'the exhausted task is failed and the unfinished ones are cancelled');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'each'$$,
  $$VALUES ('failed', NULL::jsonb)$$,
  'the fan-out step is failed, with no output');
SELECT results_eq($$SELECT status FROM pgflow.runs$$, $$VALUES ('failed')$$, 'the run is failed');
SELECT matches((SELECT error_message FROM pgflow.runs), 'each.*bad item 2', 'the run''s error names the step and the error');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10)$$,
  'the cancelled tasks are not claimable');
SELECT * FROM finish();
ROLLBACK;
