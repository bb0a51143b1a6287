-- tick applies due signal deadlines too (DESIGN.md: claim_tasks or tick,
-- whichever runs first), as of its `at`: with pg_cron ticking, deadlines hold
-- while no worker claims.
BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "approval", "signal": true, "signal_timeout": 60,
                            "when_exhausted": "skip"}, {"slug": "publish", "deps": ["approval"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT is_empty($$SELECT * FROM pgflow.tick()$$, 'no schedule: tick starts nothing');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'approval'), 'started',
  'and the deadline (a minute away) is not due yet');
SELECT is_empty($$SELECT * FROM pgflow.tick(at => now() + interval '61 seconds')$$, 'a tick past the deadline');
SELECT results_eq($$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('approval', 'skipped'), ('publish', 'started')$$,
  'skips the step that missed it (when_exhausted = skip), and the flow goes on');
SELECT matches((SELECT skip_reason FROM pgflow.step_states WHERE step_slug = 'approval'), 'approval.*60',
  'the skip reason names the step and its timeout');
SELECT * FROM finish();
ROLLBACK;
