-- fan_out => true: one task per element of the dependency's array output, each
-- with input exactly {"item": <element>, "index": <i>} (no "run" key), held by
-- different workers at once.
BEGIN;
SELECT plan(6);

SELECT pgflow.create_flow(flow_slug => 'fan');
SELECT pgflow.add_step(flow_slug => 'fan', step_slug => 'list');
SELECT pgflow.add_step(flow_slug => 'fan', step_slug => 'each', deps => ARRAY['list'], fan_out => true);
SELECT pgflow.add_step(flow_slug => 'fan', step_slug => 'sum', deps => ARRAY['each']);
SELECT pgflow.start_flow(flow_slug => 'fan', input => '{"big": "input"}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'list',
                            output => '[{"n": 1}, "two", [3]]')
  FROM pgflow.claim_tasks(worker_id => 'w');

SELECT results_eq(
  $$SELECT task_index, status FROM pgflow.step_tasks WHERE step_slug = 'each' ORDER BY task_index$$,
  $$VALUES (0, 'queued'), (1, 'queued'), (2, 'queued')$$,
  'three queued tasks, indexes 0 to 2');

CREATE TEMP TABLE claimed AS
SELECT 'w1' AS worker, * FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)
UNION ALL SELECT 'w2', * FROM pgflow.claim_tasks(worker_id => 'w2', max_tasks => 1)
UNION ALL SELECT 'w3', * FROM pgflow.claim_tasks(worker_id => 'w3', max_tasks => 1);
SELECT results_eq(
  $$SELECT step_slug, task_index, input FROM claimed ORDER BY task_index$$,
  $$VALUES ('each', 0, '{"item": {"n": 1}, "index": 0}'::jsonb),
           ('each', 1, '{"item": "two", "index": 1}'::jsonb),
           ('each', 2, '{"item": [3], "index": 2}'::jsonb)$$,
  'each task''s input is exactly its element and its index');
SELECT results_eq(
  $$SELECT task_index, worker_id, status FROM pgflow.step_tasks WHERE step_slug = 'each' ORDER BY task_index$$,
  $$SELECT task_index, worker, 'started' FROM claimed ORDER BY task_index$$,
  'three workers hold the three tasks at the same time');

SELECT pgflow.complete_task(run_id => run_id, step_slug => step_slug, task_index => task_index,
                            output => to_jsonb(task_index * 10))
  FROM claimed;
SELECT is((SELECT output FROM pgflow.step_states WHERE step_slug = 'each'), '[0, 10, 20]'::jsonb,
  'the step output is the array of task outputs');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('sum', '{"run": {"big": "input"}, "each": [0, 10, 20]}'::jsonb)$$,
  'the dependent sees the whole array');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'sum', output => '30');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"sum": 30}'::jsonb)$$,
  'the run completes');
SELECT * FROM finish();
ROLLBACK;
