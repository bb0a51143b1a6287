BEGIN;
SELECT plan(3);

SELECT pgflow.create_flow(flow_slug => 'selfish');
SELECT pgflow.add_step(flow_slug => 'selfish', step_slug => 'a');

SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'selfish', step_slug => 'loop', deps => ARRAY['a', 'loop'])$$,
  '42P17', NULL, 'a step that depends on itself raises 42P17');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'selfish', step_slug => 'loop', deps => ARRAY['loop'])$$,
  '%loop%', 'the message names the step');
SELECT results_eq($$SELECT step_slug FROM pgflow.steps WHERE flow_slug = 'selfish'$$, $$VALUES ('a')$$,
  'the step was not written');

SELECT * FROM finish();
ROLLBACK;
