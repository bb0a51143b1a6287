BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 3, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second';
SELECT results_eq($$SELECT step_slug, attempt FROM pgflow.claim_tasks(worker_id => 'w2')$$,
  $$VALUES ('a', 2)$$, 'the expired lease is reclaimed as attempt 2');
SELECT results_eq($$SELECT attempt, worker_id, error_type, error_message ~ '^lease expired' FROM pgflow.task_attempts$$,
  $$VALUES (1, 'w1', 'LeaseExpired', true)$$, 'the lost attempt 1 is kept, with who held it and why it ended');
SELECT * FROM finish();
ROLLBACK;
