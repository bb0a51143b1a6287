BEGIN;
SELECT plan(6);

SELECT pgflow.create_flow(flow_slug => 'fan');
SELECT pgflow.add_step(flow_slug => 'fan', step_slug => 'list_a');
SELECT pgflow.add_step(flow_slug => 'fan', step_slug => 'list_b');

SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'fan', step_slug => 'each', fan_out => true)$$,
  '%each%', 'a fan-out root step (0 dependencies) is rejected, naming the step');
SELECT throws_like(
  $$SELECT pgflow.add_step(flow_slug => 'fan', step_slug => 'each', deps => ARRAY['list_a', 'list_b'], fan_out => true)$$,
  '%each%', 'a fan-out step with 2 dependencies is rejected, naming the step');
SELECT throws_like(
  $$SELECT pgflow.add_step(flow_slug => 'fan', step_slug => 'each', deps => ARRAY['list_a', 'list_b'], fan_out => true)$$,
  '%one dependency%', 'the message says a fan-out step has exactly one dependency');
SELECT is((SELECT count(*)::int FROM pgflow.steps WHERE step_slug = 'each'), 0, 'the rejected step was not written');
SELECT lives_ok(
  $$SELECT pgflow.add_step(flow_slug => 'fan', step_slug => 'each', deps => ARRAY['list_a'], fan_out => true)$$,
  'a fan-out step with exactly one dependency is accepted');
SELECT is((SELECT fan_out FROM pgflow.steps WHERE step_slug = 'each'), true, 'it is stored as a fan-out step');

SELECT * FROM finish();
ROLLBACK;
