-- A signal that arrived while the run was live, before its step was ready, and
-- was never applied (the run failed first) is applied when the retried run's
-- step becomes ready: it was sent to this run, and nothing consumed it.
BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "draft", "max_attempts": 1}, {"slug": "approval", "deps": ["draft"], "signal": true}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', payload => '"early"');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'draft', error_message => 'boom');
SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'draft', output => '1');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'approval'$$,
  $$VALUES ('completed', '"early"'::jsonb)$$, 'the kept signal completes the step');
SELECT is((SELECT status FROM pgflow.runs), 'completed', 'and the run');
SELECT * FROM finish();
ROLLBACK;
