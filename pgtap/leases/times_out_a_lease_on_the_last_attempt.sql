BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 2, "base_delay": 0, "steps": [
  {"slug": "slow"}, {"slug": "after", "deps": ["slow"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second'
 WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'slow';
SELECT is((SELECT attempt FROM pgflow.claim_tasks(worker_id => 'w2')), 2, 'attempt 1 timed out: reclaimed as attempt 2 (the last)');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second'
 WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'slow';
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w3')$$,
  'the next claim does not hand out a third attempt');
SELECT results_eq($$SELECT status, attempt FROM pgflow.step_tasks$$, $$VALUES ('failed', 2)$$,
  'the task failed on its last attempt');
SELECT ok((SELECT error_message ~* 'time[sd]? ?out|lease' FROM pgflow.step_tasks),
  'the task error says it timed out / its lease expired');
SELECT results_eq(
  $$SELECT (SELECT status FROM pgflow.step_states WHERE step_slug = 'slow'), (SELECT status FROM pgflow.runs)$$,
  $$VALUES ('failed', 'failed')$$, 'the step and (when_exhausted = fail) the run failed');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'after'), 0, 'the dependent never gets a task');
SELECT * FROM finish();
ROLLBACK;
