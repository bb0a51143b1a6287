-- when_exhausted = skip: the missed signal step is skipped with its reason, and
-- its dependents run without its key. Never retried: applying again does nothing.
BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "approval", "signal": true, "signal_timeout": 60, "when_exhausted": "skip"}, {"slug": "publish", "deps": ["approval"]}, {"slug": "notify", "deps": ["publish"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT is(pgflow._apply_signal_deadlines(now() + interval '61 seconds'), 1, 'one step past its deadline');
SELECT results_eq($$SELECT status, skip_reason FROM pgflow.step_states WHERE step_slug = 'approval'$$,
  $$VALUES ('skipped', format('signal step "approval" received no signal within its signal_timeout (60 s, from %s to %s) (when_exhausted = skip)',
                               now(), now() + interval '60 seconds'))$$, 'skipped, with the reason');
SELECT results_eq($$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('publish', '{"run": {}}'::jsonb)$$, 'its dependent runs without its key');
SELECT is(pgflow._apply_signal_deadlines(now() + interval '1 day'), 0, 'a missed deadline is applied once');
SELECT * FROM finish();
ROLLBACK;
