BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
-- The worker died: its lease expired a second ago; the next claim times the attempt out.
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second';
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w2')$$, 'no further attempt is handed out');
SELECT results_eq(
  $$SELECT run_id, step_slug, task_index, attempt, worker_id, started_at, failed_at FROM pgflow.task_attempts$$,
  $$VALUES ('00000000-0000-0000-0000-000000000001'::uuid, 'a', 0, 1, 'w1', now(), now())$$,
  'the timed-out attempt is recorded, with the worker that held it');
SELECT matches((SELECT error_message FROM pgflow.task_attempts), 'timed out|lease',
  'its error says it timed out');
SELECT * FROM finish();
ROLLBACK;
