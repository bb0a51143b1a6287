-- Tasks completing in the order 2, 0, 1 still give an output ordered by index.
BEGIN;
SELECT plan(4);

SELECT pgflow.define_flow('{"slug": "order", "steps": [
  {"slug": "list"}, {"slug": "each", "deps": ["list"], "fan_out": true}]}');
SELECT pgflow.start_flow(flow_slug => 'order', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'list',
                            output => '["a", "b", "c"]')
  FROM pgflow.claim_tasks(worker_id => 'w');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 3);

SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            task_index => 2, output => '"C"');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            task_index => 0, output => '"A"');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'each'$$,
  $$VALUES ('started', NULL::jsonb)$$,
  'with one task left the step is still started, with no output');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            task_index => 1, output => '"B"');
SELECT is((SELECT output FROM pgflow.step_states WHERE step_slug = 'each'), '["A", "B", "C"]'::jsonb,
  'the output is ordered by index, not by completion');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'each'), 'completed', 'the step is completed');
SELECT is((SELECT output FROM pgflow.runs), '{"each": ["A", "B", "C"]}'::jsonb, 'the run output has the ordered array');
SELECT * FROM finish();
ROLLBACK;
