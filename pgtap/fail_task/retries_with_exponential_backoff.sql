BEGIN;
SELECT plan(10);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 4, "base_delay": 2, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');

SELECT is((SELECT attempt FROM pgflow.claim_tasks(worker_id => 'w1')), 1, 'attempt 1 claimed');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'e1', attempt => 1);
SELECT results_eq($$SELECT status, attempt, available_at - now() FROM pgflow.step_tasks$$,
  $$VALUES ('queued', 1, interval '2 seconds')$$, 'attempt 1 failed: queued again after 2 * 2^0 = 2 s');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'not claimable during the backoff');

UPDATE pgflow.step_tasks SET available_at = now();
SELECT is((SELECT attempt FROM pgflow.claim_tasks(worker_id => 'w1')), 2, 'attempt 2 claimed');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'e2', attempt => 2);
SELECT results_eq($$SELECT status, attempt, available_at - now() FROM pgflow.step_tasks$$,
  $$VALUES ('queued', 2, interval '4 seconds')$$, 'attempt 2 failed: queued again after 2 * 2^1 = 4 s');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'not claimable during the second backoff');

UPDATE pgflow.step_tasks SET available_at = now();
SELECT is((SELECT attempt FROM pgflow.claim_tasks(worker_id => 'w1')), 3, 'attempt 3 claimed');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'e3', attempt => 3);
SELECT results_eq($$SELECT status, attempt, available_at - now() FROM pgflow.step_tasks$$,
  $$VALUES ('queued', 3, interval '8 seconds')$$, 'attempt 3 failed: queued again after 2 * 2^2 = 8 s');

SELECT results_eq($$SELECT status FROM pgflow.step_states$$, $$VALUES ('started')$$, 'the step stays started while retrying');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'the run stays started while retrying');
SELECT * FROM finish();
ROLLBACK;
