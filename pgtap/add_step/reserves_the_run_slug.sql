BEGIN;
SELECT plan(4);

SELECT pgflow.create_flow(flow_slug => 'reserved');

SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'reserved', step_slug => 'run')$$, '22023', NULL,
  'a step named "run" is rejected');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'reserved', step_slug => 'run')$$, '%run%reserved%',
  'the message says "run" is reserved');
SELECT is((SELECT count(*)::int FROM pgflow.steps), 0, 'no step was written');
SELECT lives_ok($$SELECT pgflow.add_step(flow_slug => 'reserved', step_slug => 'runner')$$,
  'a slug that merely starts with "run" is fine');

SELECT * FROM finish();
ROLLBACK;
