BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 3, "base_delay": 10, "steps": [{"slug": "done"}, {"slug": "retrying"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'done', output => '1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'retrying', error_message => 'boom');
CREATE TEMP TABLE tasks_before AS SELECT * FROM pgflow.step_tasks;

SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'done', attempt => 1),
  NULL, 'a completed task: NULL (with a NOTICE)');
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'done'),
  NULL, 'a completed task, without attempt: NULL');
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'retrying', attempt => 1),
  NULL, 'a failed attempt waiting for its retry: NULL');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM tasks_before$$, 'no task changed');

-- A failed run cancels its tasks in flight.
SELECT pgflow.define_flow('{"slug": "g", "max_attempts": 1, "steps": [{"slug": "a"}, {"slug": "b"}]}');
SELECT pgflow.start_flow(flow_slug => 'g', run_id => '00000000-0000-0000-0000-000000000002');
SELECT pgflow.claim_tasks(worker_id => 'w1', flow_slugs => ARRAY['g']);
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'a', error_message => 'boom');
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'b', attempt => 1),
  NULL, 'a task cancelled with its failed run: NULL');
SELECT isnt((SELECT status FROM pgflow.step_tasks WHERE run_id = '00000000-0000-0000-0000-000000000002' AND step_slug = 'b'),
  'started', 'and it stays not started');
SELECT * FROM finish();
ROLLBACK;
