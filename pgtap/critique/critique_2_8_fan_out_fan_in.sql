-- Critique 2.8: split_items returns an array, process_each_item fans out over it
-- (one task per element, claimable in parallel), and combine_results fans in:
-- it receives the whole array of per-item outputs, in item order.
BEGIN;
SELECT plan(9);

SELECT pgflow.create_flow(flow_slug => 'items_flow');
SELECT pgflow.add_step(flow_slug => 'items_flow', step_slug => 'split_items');
SELECT pgflow.add_step(flow_slug => 'items_flow', step_slug => 'process_each_item',
                       deps => ARRAY['split_items'], fan_out => true);
SELECT pgflow.add_step(flow_slug => 'items_flow', step_slug => 'combine_results',
                       deps => ARRAY['process_each_item']);

SELECT pgflow.start_flow(flow_slug => 'items_flow', input => '{"items": ["a", "b", "c"]}',
                         run_id => '00000000-0000-0000-0000-000000000028');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('split_items', '{"run": {"items": ["a", "b", "c"]}}'::jsonb)$$,
  'split_items is claimed with the run input');
-- The handler returns p.run.items.
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000028', step_slug => 'split_items',
                            output => '["a", "b", "c"]');

SELECT is(
  (SELECT count(*)::int FROM pgflow.step_tasks
    WHERE step_slug = 'process_each_item' AND status = 'queued'),
  3, 'one queued task per item');

-- Three workers take one task each: the tasks are claimable in parallel.
CREATE TEMP TABLE claimed AS
SELECT * FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)
UNION ALL SELECT * FROM pgflow.claim_tasks(worker_id => 'w2', max_tasks => 1)
UNION ALL SELECT * FROM pgflow.claim_tasks(worker_id => 'w3', max_tasks => 1);
SELECT results_eq(
  $$SELECT step_slug, task_index, input FROM claimed ORDER BY task_index$$,
  $$VALUES ('process_each_item', 0, '{"item": "a", "index": 0}'::jsonb),
           ('process_each_item', 1, '{"item": "b", "index": 1}'::jsonb),
           ('process_each_item', 2, '{"item": "c", "index": 2}'::jsonb)$$,
  'each task gets exactly its item and index');
SELECT is(
  (SELECT count(DISTINCT worker_id)::int FROM pgflow.step_tasks
    WHERE step_slug = 'process_each_item' AND status = 'started'),
  3, 'three workers hold the three tasks at once');

SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000028', step_slug => 'process_each_item',
                            task_index => 1, output => '"B"');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000028', step_slug => 'process_each_item',
                            task_index => 0, output => '"A"');
SELECT is(
  (SELECT status FROM pgflow.step_states WHERE step_slug = 'process_each_item'),
  'started', 'the fan-out step waits for its last task');
SELECT is(
  (SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'combine_results'),
  0, 'combine_results does not start before every item is processed');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000028', step_slug => 'process_each_item',
                            task_index => 2, output => '"C"');

SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('combine_results',
            '{"run": {"items": ["a", "b", "c"]}, "process_each_item": ["A", "B", "C"]}'::jsonb)$$,
  'combine_results receives the whole array of outputs, in item order');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000028', step_slug => 'combine_results',
                            output => '"ABC"');
SELECT is(
  (SELECT output FROM pgflow.step_states WHERE step_slug = 'process_each_item'),
  '["A", "B", "C"]'::jsonb, 'the fan-out step''s output is the array of task outputs');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.runs$$,
  $$VALUES ('completed', '{"combine_results": "ABC"}'::jsonb)$$,
  'the run completes with the fan-in result');
SELECT * FROM finish();
ROLLBACK;
