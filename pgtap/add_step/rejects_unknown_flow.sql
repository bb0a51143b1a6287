BEGIN;
SELECT plan(3);

SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'nowhere', step_slug => 'a')$$, 'P0002', NULL,
  'adding a step to a flow that does not exist raises P0002');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'nowhere', step_slug => 'a')$$, '%nowhere%',
  'the message names the missing flow');
SELECT ok(
  (SELECT count(*) FROM pgflow.flows) = 0 AND (SELECT count(*) FROM pgflow.steps) = 0,
  'no flow and no step were created');

SELECT * FROM finish();
ROLLBACK;
