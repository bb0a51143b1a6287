BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "enrich", "max_attempts": 1, "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "batch", "max_attempts": 1, "steps": [
  {"slug": "customers"}, {"slug": "enriched", "deps": ["customers"], "fan_out": true, "subflow": "enrich"}]}');
SELECT pgflow.start_flow(flow_slug => 'batch', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => t.step_slug, output => '[10, 20, 30]')
  FROM pgflow.claim_tasks(worker_id => 'w1') AS t;
CREATE TEMP TABLE children AS
SELECT t.run_id, r.parent_task_index FROM pgflow.claim_tasks(worker_id => 'w1') AS t JOIN pgflow.runs AS r USING (run_id);
-- Child 0 completes, child 1 fails (the parent fails and cancels child 2).
SELECT pgflow.complete_task(run_id => run_id, step_slug => 'lookup', output => '"ok 10"') FROM children WHERE parent_task_index = 0;
SELECT pgflow.fail_task(run_id => run_id, step_slug => 'lookup', error_message => 'boom') FROM children WHERE parent_task_index = 1;
SELECT results_eq($$SELECT r.parent_task_index, r.status FROM pgflow.runs AS r ORDER BY r.parent_task_index NULLS FIRST$$,
  $$VALUES (NULL::int, 'failed'), (0, 'completed'), (1, 'failed'), (2, 'cancelled')$$,
  'the parent failed with its second child, and cancelled its third');

SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq(
  $$SELECT r.parent_task_index, r.status, r.input, r.run_id IN (SELECT c.run_id FROM children AS c)
      FROM pgflow.runs AS r WHERE r.parent_run_id IS NOT NULL ORDER BY r.parent_task_index, r.started_at$$,
  $$VALUES (0, 'completed', '10'::jsonb, true), (1, 'failed', '20', true), (1, 'started', '20', false),
           (2, 'cancelled', '30', true), (2, 'started', '30', false)$$,
  'the completed child is kept; the failed and the cancelled ones stay as they ended and new children re-drive their elements');
SELECT results_eq(
  $$SELECT t.task_index, t.status, t.attempt FROM pgflow.step_tasks AS t WHERE t.step_slug = 'enriched' ORDER BY 1$$,
  $$VALUES (0, 'completed', 1), (1, 'started', 2), (2, 'started', 2)$$,
  'the re-driven tasks are held by their new children (attempt numbers continue)');
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => t.step_slug, output => to_jsonb('redo ' || (r.input #>> '{}')))
  FROM pgflow.claim_tasks(worker_id => 'w1') AS t JOIN pgflow.runs AS r USING (run_id);
SELECT is((SELECT output FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'enriched'),
  '[{"lookup": "ok 10"}, {"lookup": "redo 20"}, {"lookup": "redo 30"}]'::jsonb,
  'the step completes with the kept output and the new ones, in index order');
SELECT is((SELECT status FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'), 'completed', 'and the run');
SELECT * FROM finish();
ROLLBACK;
