BEGIN;
SELECT plan(10);

SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => 'bounded', max_attempts => 0)$$, '22023', NULL,
  'max_attempts 0 is rejected with 22023');
SELECT throws_like($$SELECT pgflow.create_flow(flow_slug => 'bounded', max_attempts => 0)$$,
  '%max_attempts%bounded%', 'the message names max_attempts and the flow');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => 'bounded', base_delay => -1)$$, '22023', NULL,
  'base_delay -1 is rejected with 22023');
SELECT throws_like($$SELECT pgflow.create_flow(flow_slug => 'bounded', base_delay => -1)$$,
  '%base_delay%bounded%', 'the message names base_delay and the flow');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => 'bounded', timeout => 0)$$, '22023', NULL,
  'timeout 0 is rejected with 22023');
SELECT throws_like($$SELECT pgflow.create_flow(flow_slug => 'bounded', timeout => 0)$$,
  '%timeout%bounded%', 'the message names timeout and the flow');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => 'bounded', max_attempts => -5)$$, '22023', NULL,
  'a negative max_attempts is rejected');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => 'bounded', timeout => -1)$$, '22023', NULL,
  'a negative timeout is rejected');

SELECT is((SELECT count(*)::int FROM pgflow.flows), 0, 'nothing was written to pgflow.flows');
SELECT lives_ok($$SELECT pgflow.create_flow(flow_slug => 'bounded', max_attempts => 1, base_delay => 0, timeout => 1)$$,
  'the boundary values 1, 0, 1 are accepted');

SELECT * FROM finish();
ROLLBACK;
