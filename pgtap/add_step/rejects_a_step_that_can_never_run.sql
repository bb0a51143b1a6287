BEGIN;
SELECT plan(5);

SELECT pgflow.create_flow(flow_slug => 'never');
SELECT pgflow.add_step(flow_slug => 'never', step_slug => 'check');

SELECT throws_like(
  $$SELECT pgflow.add_step(flow_slug => 'never', step_slug => 'notify', deps => ARRAY['check'],
                           run_if => '{"run": {"vip": true, "region": "eu"}}', run_unless => '{"run": {"vip": true}}')$$,
  '%notify%', 'run_if containing run_unless is rejected, naming the step');
SELECT throws_like(
  $$SELECT pgflow.add_step(flow_slug => 'never', step_slug => 'notify', run_if => '{"run": {"vip": true}}',
                           run_unless => '{"run": {"vip": true}}')$$,
  '%never run%', 'equal run_if and run_unless are rejected: the step can never run');
SELECT is((SELECT count(*)::int FROM pgflow.steps WHERE step_slug = 'notify'), 0, 'the rejected step was not written');
SELECT lives_ok(
  $$SELECT pgflow.add_step(flow_slug => 'never', step_slug => 'notify', run_if => '{"run": {"vip": true}}',
                           run_unless => '{"run": {"vip": true, "banned": true}}')$$,
  'run_unless more specific than run_if is fine (a VIP who is not banned runs)');
SELECT lives_ok(
  $$SELECT pgflow.add_step(flow_slug => 'never', step_slug => 'other', run_if => '{"run": {"vip": true}}',
                           run_unless => '{"run": {"vip": false}}')$$,
  'disjoint conditions are fine');

SELECT * FROM finish();
ROLLBACK;
