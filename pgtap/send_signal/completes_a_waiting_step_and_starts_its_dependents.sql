-- A signal to a waiting step completes it with the payload as its output, in
-- that transaction, drops its deadline, and makes its dependents claimable
-- with the payload in their input.
BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "draft"}, {"slug": "approval", "deps": ["draft"], "signal": true, "signal_timeout": 3600}, {"slug": "publish", "deps": ["approval"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'draft', output => '"text"');
SELECT results_eq($$SELECT status, output FROM pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval',
                                                                     payload => '{"approved": true}')$$,
  $$VALUES ('completed', '{"approved": true}'::jsonb)$$, 'send_signal returns the completed step with the payload');
SELECT results_eq($$SELECT payload, received_at, applied_at FROM pgflow.signals$$,
  $$VALUES ('{"approved": true}'::jsonb, now(), now())$$, 'the signal is recorded as received and applied');
SELECT is_empty($$SELECT * FROM pgflow.signal_deadlines$$, 'the deadline is gone');
SELECT results_eq($$SELECT step_slug, input -> 'approval' FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('publish', '{"approved": true}'::jsonb)$$, 'the dependent is claimable with the payload in its input');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'publish', output => '"done"');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$,
  $$VALUES ('completed', '{"publish": "done"}'::jsonb)$$, 'and the run completes');
SELECT * FROM finish();
ROLLBACK;
