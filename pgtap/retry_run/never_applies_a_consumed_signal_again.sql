-- A signal that completed its step is consumed: the run failing later and
-- being retried keeps the step completed with that payload; the signal is not
-- applied again (its applied_at), and a new signal is ignored (first one wins).
BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "approval", "signal": true, "signal_timeout": 60}, {"slug": "publish", "deps": ["approval"]}, {"slug": "notify", "deps": ["publish"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', payload => '"yes"');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'publish', error_message => 'boom');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'publish retries');
UPDATE pgflow.step_tasks SET available_at = now();
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'publish', error_message => 'boom', attempt => 2);
UPDATE pgflow.step_tasks SET available_at = now();
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'publish', error_message => 'boom', attempt => 3);
SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', payload => '"no"');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'approval'$$,
  $$VALUES ('completed', '"yes"'::jsonb)$$, 'the signal step keeps its output');
SELECT results_eq($$SELECT step_slug, input -> 'approval' FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('publish', '"yes"'::jsonb)$$, 'and publish runs again with the first payload');
SELECT * FROM finish();
ROLLBACK;
