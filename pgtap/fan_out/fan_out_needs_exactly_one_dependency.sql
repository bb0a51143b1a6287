-- A fan-out step fans out over one dependency's array: zero or two dependencies
-- are rejected at definition time, on both paths, and nothing is written.
BEGIN;
SELECT plan(7);

SELECT pgflow.create_flow(flow_slug => 'arity');
SELECT pgflow.add_step(flow_slug => 'arity', step_slug => 'a');
SELECT pgflow.add_step(flow_slug => 'arity', step_slug => 'b');

SELECT throws_ok(
  $$SELECT pgflow.add_step(flow_slug => 'arity', step_slug => 'rootfan', fan_out => true)$$,
  '42P17', NULL, 'add_step: a fan-out root step is rejected');
SELECT throws_ok(
  $$SELECT pgflow.add_step(flow_slug => 'arity', step_slug => 'twofan', deps => ARRAY['a', 'b'], fan_out => true)$$,
  '42P17', NULL, 'add_step: a fan-out step with two dependencies is rejected');
SELECT throws_like(
  $$SELECT pgflow.add_step(flow_slug => 'arity', step_slug => 'twofan', deps => ARRAY['a', 'b'], fan_out => true)$$,
  '%twofan%exactly one dependency%', 'add_step: the message names the step and the rule');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.steps WHERE flow_slug = 'arity' ORDER BY step_slug$$,
  $$VALUES ('a'), ('b')$$,
  'add_step: nothing was written');

SELECT throws_ok(
  $$SELECT pgflow.define_flow('{"slug": "arity_df", "steps": [
      {"slug": "a"}, {"slug": "b"}, {"slug": "twofan", "deps": ["a", "b"], "fan_out": true}]}')$$,
  '42P17', NULL, 'define_flow: a fan-out step with two dependencies is rejected');
SELECT throws_like(
  $$SELECT pgflow.define_flow('{"slug": "arity_df", "steps": [{"slug": "rootfan", "fan_out": true}]}')$$,
  '%rootfan%exactly one dependency%', 'define_flow: a fan-out root step is rejected, naming it');
SELECT is((SELECT count(*)::int FROM pgflow.flows WHERE flow_slug = 'arity_df'), 0, 'define_flow: nothing was written');
SELECT * FROM finish();
ROLLBACK;
