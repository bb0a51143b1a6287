-- A step whose run_if contains its run_unless can never run (whenever run_if
-- holds, run_unless matches too); it is rejected at definition time on both paths.
-- Patterns that merely overlap are fine.
BEGIN;
SELECT plan(9);

SELECT pgflow.create_flow(flow_slug => 'never');

SELECT throws_ok(
  $$SELECT pgflow.add_step(flow_slug => 'never', step_slug => 'dead',
                           run_if => '{"run": {"vip": true, "country": "fr"}}',
                           run_unless => '{"run": {"vip": true}}')$$,
  '42P17', NULL, 'add_step: run_if containing run_unless is rejected');
SELECT throws_like(
  $$SELECT pgflow.add_step(flow_slug => 'never', step_slug => 'dead',
                           run_if => '{"run": {"vip": true, "country": "fr"}}',
                           run_unless => '{"run": {"vip": true}}')$$,
  '%dead%never run%', 'add_step: the message names the step and says it can never run');
SELECT throws_ok(
  $$SELECT pgflow.add_step(flow_slug => 'never', step_slug => 'same',
                           run_if => '{"run": {"vip": true}}', run_unless => '{"run": {"vip": true}}')$$,
  '42P17', NULL, 'add_step: equal run_if and run_unless are rejected');
SELECT is(
  (SELECT count(*)::int FROM pgflow.steps WHERE flow_slug = 'never'),
  0, 'add_step: nothing was written');

SELECT lives_ok(
  $$SELECT pgflow.add_step(flow_slug => 'never', step_slug => 'fine',
                           run_if => '{"run": {"vip": true}}',
                           run_unless => '{"run": {"vip": true, "banned": true}}')$$,
  'add_step: run_unless containing run_if (VIPs except banned ones) is accepted');

SELECT throws_ok(
  $$SELECT pgflow.define_flow('{"slug": "never_df", "steps": [
      {"slug": "a"},
      {"slug": "dead", "deps": ["a"], "run_if": {"a": {"ok": true}, "run": {"x": 1}}, "run_unless": {"a": {"ok": true}}}]}')$$,
  '42P17', NULL, 'define_flow: run_if containing run_unless is rejected');
SELECT throws_like(
  $$SELECT pgflow.define_flow('{"slug": "never_df", "steps": [
      {"slug": "a"},
      {"slug": "dead", "deps": ["a"], "run_if": {"a": {"ok": true}, "run": {"x": 1}}, "run_unless": {"a": {"ok": true}}}]}')$$,
  '%dead%never run%', 'define_flow: the message names the step');
SELECT is(
  (SELECT count(*)::int FROM pgflow.flows WHERE flow_slug = 'never_df'),
  0, 'define_flow: nothing was written');

-- The accepted pair behaves as declared: VIPs run, banned VIPs and non-VIPs do not.
SELECT pgflow.start_flow(flow_slug => 'never', input => '{"vip": true}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'never', input => '{"vip": true, "banned": true}', run_id => '00000000-0000-0000-0000-000000000002');
SELECT pgflow.start_flow(flow_slug => 'never', input => '{"vip": false}', run_id => '00000000-0000-0000-0000-000000000003');
SELECT results_eq(
  $$SELECT run_id::text, status FROM pgflow.step_states ORDER BY run_id$$,
  $$VALUES ('00000000-0000-0000-0000-000000000001', 'started'),
           ('00000000-0000-0000-0000-000000000002', 'skipped'),
           ('00000000-0000-0000-0000-000000000003', 'skipped')$$,
  'run_if and run_unless together: only the run matching run_if and not run_unless runs');
SELECT * FROM finish();
ROLLBACK;
