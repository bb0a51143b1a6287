BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 3, "base_delay": 100, "timeout": 30, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"x": 1}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w2')$$, 'not claimable while the lease runs');
-- The worker died: its lease expired a second ago.
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second'
 WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'a';
SELECT results_eq(
  $$SELECT step_slug, attempt, input, lease_expires_at - now() FROM pgflow.claim_tasks(worker_id => 'w2')$$,
  $$VALUES ('a', 2, '{"run": {"x": 1}}'::jsonb, interval '30 seconds')$$,
  'claimable again at once (no base_delay backoff) as attempt 2, with a fresh lease');
SELECT results_eq($$SELECT status, attempt, worker_id FROM pgflow.step_tasks$$,
  $$VALUES ('started', 2, 'w2')$$, 'the task is started by the new worker');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'the run goes on');
SELECT * FROM finish();
ROLLBACK;
