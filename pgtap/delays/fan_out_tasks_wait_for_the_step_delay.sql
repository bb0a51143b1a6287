-- delay_seconds on a fan-out step applies to each of its tasks.
BEGIN;
SELECT plan(2);

SELECT pgflow.define_flow('{"slug": "late_fan", "steps": [
  {"slug": "list"}, {"slug": "each", "deps": ["list"], "fan_out": true, "delay_seconds": 60}]}');
SELECT pgflow.start_flow(flow_slug => 'late_fan', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'list', output => '[1, 2, 3]')
  FROM pgflow.claim_tasks(worker_id => 'w');

SELECT results_eq(
  $$SELECT task_index, status, available_at FROM pgflow.step_tasks WHERE step_slug = 'each' ORDER BY task_index$$,
  $$VALUES (0, 'queued', now() + interval '60 seconds'), (1, 'queued', now() + interval '60 seconds'),
           (2, 'queued', now() + interval '60 seconds')$$,
  'every task is available 60 s after the step became ready');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10)$$,
  'none is claimable yet');
SELECT * FROM finish();
ROLLBACK;
