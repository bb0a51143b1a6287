BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "approval", "signal": true, "signal_timeout": 60, "when_exhausted": "skip-cascade"}, {"slug": "publish", "deps": ["approval"]}, {"slug": "notify", "deps": ["publish"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow._apply_signal_deadlines(now() + interval '61 seconds');
SELECT results_eq($$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('approval', 'skipped'), ('notify', 'skipped'), ('publish', 'skipped')$$, 'everything downstream is skipped');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{}'::jsonb)$$, 'and the run completes');
SELECT * FROM finish();
ROLLBACK;
