BEGIN;
SELECT plan(7);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 2, "base_delay": 0, "steps": [
  {"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', error_message => 'boom 1');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', error_message => 'boom 2');

SELECT results_eq(
  $$SELECT status, error_message, output, finished_at FROM pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001')$$,
  $$VALUES ('started', NULL::text, NULL::jsonb, NULL::timestamptz)$$,
  'retry_run returns the run started again, its error and finish time cleared');
SELECT results_eq($$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('a', 'completed'), ('b', 'started'), ('c', 'created')$$,
  'the failed step is started again, its dependent waits for it');
SELECT results_eq($$SELECT step_slug, attempt FROM pgflow.claim_tasks(worker_id => 'w2')$$,
  $$VALUES ('b', 3)$$, 'the failed step is claimed again; attempt numbers keep counting (2 before the retry)');
-- The full budget of two attempts: the first failure is retried, not fatal.
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', error_message => 'boom 3');
SELECT results_eq($$SELECT status, attempt FROM pgflow.step_tasks WHERE step_slug = 'b'$$,
  $$VALUES ('queued', 3)$$, 'its first new attempt failing leaves it queued for a retry');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'and the run going');
SELECT results_eq($$SELECT step_slug, attempt FROM pgflow.claim_tasks(worker_id => 'w2')$$,
  $$VALUES ('b', 4)$$, 'the second attempt of the fresh budget is claimable');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', error_message => 'boom 4');
SELECT results_eq($$SELECT status, error_message ~ 'boom 4' FROM pgflow.runs$$,
  $$VALUES ('failed', true)$$, 'exhausting the fresh budget fails the run again');
SELECT * FROM finish();
ROLLBACK;
