BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "draft"}, {"slug": "approval", "deps": ["draft"], "signal": true, "signal_timeout": 3600}, {"slug": "publish", "deps": ["approval"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT throws_ok($$SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'draft', payload => '1')$$,
  '42809', 'cannot send signal "draft" to run 00000000-0000-0000-0000-000000000001: step "draft" of flow "doc" is not a signal step',
  'a worker step raises');
SELECT is((SELECT status FROM pgflow.step_tasks WHERE step_slug = 'draft'), 'queued', 'and its task is untouched');
SELECT * FROM finish();
ROLLBACK;
