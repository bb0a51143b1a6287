BEGIN;
-- CREATE ROLE is transactional: the ROLLBACK at the end removes it.
CREATE ROLE pgflow_test_sec_worker_ok NOLOGIN IN ROLE pgflow_worker;
SELECT plan(8);
SELECT pgflow.define_flow('{"slug": "f", "base_delay": 0, "steps": [{"slug": "a"}, {"slug": "b"}, {"slug": "c"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"x": 1}', run_id => '00000000-0000-0000-0000-000000000001');

SET ROLE pgflow_test_sec_worker_ok;
SELECT results_eq(
  $$SELECT step_slug, attempt, input FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10) ORDER BY step_slug$$,
  $$VALUES ('a', 1, '{"run": {"x": 1}}'::jsonb), ('b', 1, '{"run": {"x": 1}}'), ('c', 1, '{"run": {"x": 1}}')$$,
  'a worker claims tasks');
SELECT isnt(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', attempt => 1, seconds => 300),
  NULL, 'extends a lease');
SELECT is((SELECT status FROM pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                                                   output => '"A"', attempt => 1)),
  'completed', 'completes a task');
SELECT is((SELECT status FROM pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b',
                                               error_message => 'boom', attempt => 1, error_type => 'ValueError',
                                               error_details => 'Traceback ...')),
  'queued', 'fails a task (it is queued for a retry)');
SELECT is(pgflow.run_input(run_id => '00000000-0000-0000-0000-000000000001'), '{"x": 1}'::jsonb,
  'reads a run''s input with run_input');
RESET ROLE;

SELECT results_eq($$SELECT step_slug, status, worker_id FROM pgflow.step_tasks ORDER BY step_slug$$,
  $$VALUES ('a', 'completed', 'w1'), ('b', 'queued', 'w1'), ('c', 'started', 'w1')$$,
  'the worker''s calls changed the state');
SELECT is((SELECT output FROM pgflow.step_states WHERE step_slug = 'a'), '"A"'::jsonb, 'the output is stored');
SELECT results_eq($$SELECT attempt, error_type, error_details FROM pgflow.task_attempts$$,
  $$VALUES (1, 'ValueError', 'Traceback ...')$$, 'the failure is recorded');
SELECT * FROM finish();
ROLLBACK;
