-- The first signal wins, before or after the step is ready; later ones change
-- nothing and say so with a NOTICE.
BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "draft"}, {"slug": "approval", "deps": ["draft"], "signal": true, "signal_timeout": 3600}, {"slug": "publish", "deps": ["approval"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000002');
SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'approval', payload => '"first"');
SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'approval', payload => '"second"');
SELECT is((SELECT payload FROM pgflow.signals WHERE run_id = '00000000-0000-0000-0000-000000000002'), '"first"'::jsonb,
  'before the step is ready: the first kept signal stays');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'draft', output => '"text"');
SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', payload => '"first"');
SELECT lives_ok($$SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval', payload => '"second"')$$,
  'a second signal does not raise');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'approval'$$,
  $$VALUES ('completed', '"first"'::jsonb)$$, 'the step keeps the first payload');
SELECT is((SELECT payload FROM pgflow.signals WHERE run_id = '00000000-0000-0000-0000-000000000001'), '"first"'::jsonb, 'and only the first is recorded');
SELECT * FROM finish();
ROLLBACK;
