-- A signal sent before its step is ready is kept, and send_signal returns the
-- step still created; when the step becomes ready it completes at once with it,
-- in the transaction that made it ready.
BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "draft"}, {"slug": "approval", "deps": ["draft"], "signal": true, "signal_timeout": 3600}, {"slug": "publish", "deps": ["approval"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq($$SELECT status, output FROM pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', payload => '"early"')$$,
  $$VALUES ('created', NULL::jsonb)$$, 'the step is returned still created');
SELECT results_eq($$SELECT payload, applied_at FROM pgflow.signals$$, $$VALUES ('"early"'::jsonb, NULL::timestamptz)$$,
  'the signal is kept, not applied');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'draft', output => '"text"');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'approval'$$,
  $$VALUES ('completed', '"early"'::jsonb)$$, 'once ready, the step completes with the kept payload');
SELECT results_eq($$SELECT step_slug, input -> 'approval' FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('publish', '"early"'::jsonb)$$, 'and its dependent is claimable at once');
SELECT * FROM finish();
ROLLBACK;
