BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [
  {"slug": "items"}, {"slug": "each", "deps": ["items"], "fan_out": true},
  {"slug": "total", "deps": ["each"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'items',
                            output => '[10, 20, 30, 40]');
-- Tasks 0 and 1 are claimed: 0 completes, 1 fails for good; 2 and 3 were still queued.
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 2);
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            task_index => 0, output => '"done 10"');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                        task_index => 1, error_message => 'boom');
SELECT is((SELECT status FROM pgflow.runs), 'failed', 'the run failed');
CREATE TEMP TABLE task0_before AS SELECT * FROM pgflow.step_tasks WHERE step_slug = 'each' AND task_index = 0;

SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks WHERE step_slug = 'each' AND task_index = 0$$,
  $$SELECT * FROM task0_before$$, 'the completed fan-out task is kept as it was, output included');
SELECT results_eq(
  $$SELECT step_slug, task_index, attempt, input FROM pgflow.claim_tasks(worker_id => 'w2', max_tasks => 10)
     ORDER BY task_index$$,
  $$VALUES ('each', 1, 2, '{"item": 20, "index": 1}'::jsonb), ('each', 2, 1, '{"item": 30, "index": 2}'),
           ('each', 3, 1, '{"item": 40, "index": 3}')$$,
  'only the other tasks are queued again with their items; attempt numbers continue (task 1 had one)');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            task_index => i, output => to_jsonb('redo ' || i))
  FROM generate_series(1, 3) AS i;
SELECT is((SELECT output FROM pgflow.step_states WHERE step_slug = 'each'),
  '["done 10", "redo 1", "redo 2", "redo 3"]'::jsonb,
  'the step output is the kept output and the new ones, in index order');
SELECT results_eq($$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w2')$$,
  $$VALUES ('total', '{"run": {}, "each": ["done 10", "redo 1", "redo 2", "redo 3"]}'::jsonb)$$,
  'its dependent runs after it');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'items'), 1, 'the dependency was not rerun');
SELECT * FROM finish();
ROLLBACK;
