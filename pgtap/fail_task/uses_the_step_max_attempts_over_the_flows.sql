BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 5, "base_delay": 0, "steps": [
  {"slug": "fewer", "max_attempts": 2}, {"slug": "more", "max_attempts": 1}]}');
SELECT pgflow.define_flow('{"slug": "g", "max_attempts": 1, "base_delay": 0, "steps": [{"slug": "more", "max_attempts": 3}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'g', run_id => '00000000-0000-0000-0000-000000000002');

-- Flow g allows 1 attempt, its step 3.
SELECT pgflow.claim_tasks(worker_id => 'w1', flow_slugs => ARRAY['g']);
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'more', error_message => 'e1');
SELECT results_eq($$SELECT status, attempt FROM pgflow.step_tasks WHERE run_id = '00000000-0000-0000-0000-000000000002'$$,
  $$VALUES ('queued', 1)$$, 'a step max_attempts of 3 retries though the flow allows 1');

-- Flow f allows 5 attempts, its step "fewer" 2.
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second'
 WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'fewer';
SELECT pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1, flow_slugs => ARRAY['f']);
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'fewer', error_message => 'e1');
SELECT results_eq($$SELECT status, attempt FROM pgflow.step_tasks WHERE step_slug = 'fewer'$$,
  $$VALUES ('queued', 1)$$, 'attempt 1 of 2 is retried');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second'
 WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'fewer';
SELECT results_eq($$SELECT step_slug, attempt FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1, flow_slugs => ARRAY['f'])$$,
  $$VALUES ('fewer', 2)$$, 'attempt 2 claimed');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'fewer', error_message => 'e2');
SELECT results_eq(
  $$SELECT (SELECT status FROM pgflow.step_tasks WHERE step_slug = 'fewer'),
           (SELECT status FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001')$$,
  $$VALUES ('failed', 'failed')$$, 'a step max_attempts of 2 fails the task after 2 attempts though the flow allows 5');
SELECT * FROM finish();
ROLLBACK;
