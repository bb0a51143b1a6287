-- A report that is not an object, or whose run_id, step_slug, task_index or
-- attempt has the wrong type, is refused with an error naming the report and the
-- key (not "run null does not exist"), and nothing of the batch is applied.
BEGIN;
SELECT plan(10);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '[1]')$$, '22023',
  'report #1 of tasks must be a JSON object, got number 1', '[1] names report #1 and what it is');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '[null]')$$, '22023',
  'report #1 of tasks must be a JSON object, got null null', '[null] is refused');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '["x"]')$$, '22023',
  'report #1 of tasks must be a JSON object, got string "x"', '["x"] is refused');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '[[]]')$$, '22023',
  'report #1 of tasks must be a JSON object, got array []', '[[]] is refused');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '[{"run_id": "00000000-0000-0000-0000-000000000001", "step_slug": "a"}, {"step_slug": "a"}]')$$,
  '22023', 'report #2 of tasks has no "run_id"', 'a missing run_id names the report');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '[{"run_id": "nope", "step_slug": "a"}]')$$,
  '22023', 'run_id of report #1 of tasks must be a UUID, got "nope"', 'a run_id that is no UUID is refused');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '[{"run_id": 7, "step_slug": "a"}]')$$,
  '22023', 'run_id of report #1 of tasks must be a string, got 7', 'a run_id of the wrong type is refused');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '[{"run_id": "00000000-0000-0000-0000-000000000001"}]')$$,
  '22023', 'report #1 of tasks has no "step_slug"', 'a missing step_slug is refused');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '[{"run_id": "00000000-0000-0000-0000-000000000001", "step_slug": "a", "attempt": "1"}]')$$,
  '22023', 'attempt of report #1 of tasks must be an integer, got "1"', 'a string attempt is refused');
SELECT is((SELECT status FROM pgflow.step_tasks), 'started', 'no refused batch changed the task');
SELECT * FROM finish();
ROLLBACK;
