-- delay_seconds is a duration: a negative one is rejected on both paths.
BEGIN;
SELECT plan(4);

SELECT pgflow.create_flow(flow_slug => 'neg');
SELECT throws_ok(
  $$SELECT pgflow.add_step(flow_slug => 'neg', step_slug => 'a', delay_seconds => -1)$$,
  '22023', NULL, 'add_step: delay_seconds -1 is rejected');
SELECT throws_like(
  $$SELECT pgflow.add_step(flow_slug => 'neg', step_slug => 'a', delay_seconds => -1)$$,
  '%delay_seconds%"a"%', 'the message names the option and the step');
SELECT is((SELECT count(*)::int FROM pgflow.steps WHERE flow_slug = 'neg'), 0, 'nothing was written');
SELECT throws_ok(
  $$SELECT pgflow.define_flow('{"slug": "neg_df", "steps": [{"slug": "a", "delay_seconds": -5}]}')$$,
  '22023', NULL, 'define_flow: a negative delay_seconds is rejected');
SELECT * FROM finish();
ROLLBACK;
