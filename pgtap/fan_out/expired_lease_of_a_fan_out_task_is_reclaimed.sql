-- Leases work per fan-out task: a task whose lease expires is claimable again at
-- once as a new attempt, while its sibling keeps its lease. This file commits and
-- sleeps past a 1-second lease.
SELECT plan(4);

SELECT pgflow.define_flow('{"slug": "lease_fan", "steps": [
  {"slug": "list"}, {"slug": "each", "deps": ["list"], "fan_out": true, "timeout": 1}]}');
SELECT pgflow.start_flow(flow_slug => 'lease_fan', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'list', output => '["x", "y"]')
  FROM pgflow.claim_tasks(worker_id => 'w');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'lost', max_tasks => 2);
-- Task 1's holder heartbeats to a long lease; task 0's holder goes silent.
SELECT pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                           task_index => 1, seconds => 60);
SELECT pg_sleep(1.1);

SELECT results_eq(
  $$SELECT task_index, attempt, input FROM pgflow.claim_tasks(worker_id => 'rescuer', max_tasks => 10)$$,
  $$VALUES (0, 2, '{"item": "x", "index": 0}'::jsonb)$$,
  'only the expired task is claimed again, as attempt 2 with the same input');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            task_index => 0, output => '"X"');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            task_index => 1, output => '"Y"');
SELECT results_eq(
  $$SELECT task_index, worker_id, attempt FROM pgflow.step_tasks WHERE step_slug = 'each' ORDER BY task_index$$,
  $$VALUES (0, 'rescuer', 2), (1, 'lost', 1)$$,
  'each task records who finished it and in which attempt');
SELECT is((SELECT output FROM pgflow.step_states WHERE step_slug = 'each'), '["X", "Y"]'::jsonb,
  'the step output is complete');
SELECT is((SELECT status FROM pgflow.runs), 'completed', 'the run completes');
SELECT * FROM finish();
