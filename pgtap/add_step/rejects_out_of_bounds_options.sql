BEGIN;
SELECT plan(10);

SELECT pgflow.create_flow(flow_slug => 'opts');

SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'opts', step_slug => 's', max_attempts => 0)$$, '22023', NULL,
  'max_attempts 0 is rejected with 22023');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'opts', step_slug => 's', max_attempts => 0)$$,
  '%max_attempts%"s"%opts%', 'the message names max_attempts, the step and the flow');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'opts', step_slug => 's', base_delay => -1)$$, '22023', NULL,
  'base_delay -1 is rejected with 22023');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'opts', step_slug => 's', base_delay => -1)$$,
  '%base_delay%"s"%', 'the message names base_delay and the step');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'opts', step_slug => 's', timeout => 0)$$, '22023', NULL,
  'timeout 0 is rejected with 22023');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'opts', step_slug => 's', timeout => 0)$$,
  '%timeout%"s"%', 'the message names timeout and the step');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'opts', step_slug => 's', delay_seconds => -1)$$, '22023', NULL,
  'delay_seconds -1 is rejected with 22023');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'opts', step_slug => 's', delay_seconds => -1)$$,
  '%delay_seconds%"s"%', 'the message names delay_seconds and the step');
SELECT is((SELECT count(*)::int FROM pgflow.steps), 0, 'no step was written');
SELECT lives_ok(
  $$SELECT pgflow.add_step(flow_slug => 'opts', step_slug => 's', max_attempts => 1, base_delay => 0, timeout => 1, delay_seconds => 0)$$,
  'the boundary values are accepted');

SELECT * FROM finish();
ROLLBACK;
