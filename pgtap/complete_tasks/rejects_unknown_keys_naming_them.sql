-- A report with a key complete_tasks does not know (a misspelt "output") is
-- refused naming the key, instead of completing the task with a NULL output.
-- Known keys: run_id, step_slug, output, task_index, attempt, lease_token.
BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '[{"run_id": "00000000-0000-0000-0000-000000000001", "step_slug": "a", "ouptut": 1}]')$$,
  '22023', 'unknown key "ouptut" in report #1 of tasks of complete_tasks', 'a misspelt output is refused, naming it');
SELECT is((SELECT status FROM pgflow.step_tasks), 'started', 'and the task is not completed');
SELECT throws_like($$SELECT * FROM pgflow.complete_tasks(tasks => jsonb_build_array(jsonb_build_object(
    'run_id', '00000000-0000-0000-0000-000000000001', 'step_slug', 'a', repeat('k', 10000000), 1)))$$,
  'unknown key "kkkk%... [cut: 10000000 characters in all]"%', 'a 10 MB key is quoted cut');
SELECT is((SELECT status FROM pgflow.complete_tasks(tasks => '[{"run_id": "00000000-0000-0000-0000-000000000001", "step_slug": "a",
    "output": 1, "task_index": 0, "attempt": 1, "lease_token": null}]')), 'completed', 'every known key is accepted');
SELECT * FROM finish();
ROLLBACK;
