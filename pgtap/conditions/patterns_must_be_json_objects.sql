-- run_if and run_unless match the step's input object with @>, so they must be
-- JSON objects; anything else is rejected at definition time, on both paths, and
-- nothing is written.
BEGIN;
SELECT plan(12);

SELECT pgflow.create_flow(flow_slug => 'patterns');
SELECT pgflow.add_step(flow_slug => 'patterns', step_slug => 'root');

SELECT throws_ok(
  $$SELECT pgflow.add_step(flow_slug => 'patterns', step_slug => 'arr', deps => ARRAY['root'], run_if => '[1, 2]')$$,
  '22023', NULL, 'add_step: an array run_if is rejected');
SELECT throws_like(
  $$SELECT pgflow.add_step(flow_slug => 'patterns', step_slug => 'arr', deps => ARRAY['root'], run_if => '[1, 2]')$$,
  '%run_if%arr%object%', 'add_step: the message names run_if, the step, and asks for an object');
SELECT throws_ok(
  $$SELECT pgflow.add_step(flow_slug => 'patterns', step_slug => 'str', run_unless => '"vip"')$$,
  '22023', NULL, 'add_step: a string run_unless is rejected');
SELECT throws_like(
  $$SELECT pgflow.add_step(flow_slug => 'patterns', step_slug => 'str', run_unless => '"vip"')$$,
  '%run_unless%str%object%', 'add_step: the message names run_unless, the step, and asks for an object');
SELECT throws_ok(
  $$SELECT pgflow.add_step(flow_slug => 'patterns', step_slug => 'num', run_if => '1')$$,
  '22023', NULL, 'add_step: a number run_if is rejected');
SELECT throws_ok(
  $$SELECT pgflow.add_step(flow_slug => 'patterns', step_slug => 'bool', run_unless => 'true')$$,
  '22023', NULL, 'add_step: a boolean run_unless is rejected');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.steps WHERE flow_slug = 'patterns'$$,
  $$VALUES ('root')$$,
  'add_step: no rejected step was written');

SELECT throws_ok(
  $$SELECT pgflow.define_flow('{"slug": "patterns_df", "steps": [
      {"slug": "a"}, {"slug": "b", "deps": ["a"], "run_if": ["a"]}]}')$$,
  '22023', NULL, 'define_flow: an array run_if is rejected');
SELECT throws_like(
  $$SELECT pgflow.define_flow('{"slug": "patterns_df", "steps": [
      {"slug": "a"}, {"slug": "b", "deps": ["a"], "run_if": ["a"]}]}')$$,
  '%run_if%"b"%object%', 'define_flow: the message names run_if, the step, and asks for an object');
SELECT throws_ok(
  $$SELECT pgflow.define_flow('{"slug": "patterns_df", "steps": [
      {"slug": "a", "run_unless": 3}]}')$$,
  '22023', NULL, 'define_flow: a number run_unless is rejected');
SELECT throws_like(
  $$SELECT pgflow.define_flow('{"slug": "patterns_df", "steps": [
      {"slug": "a", "run_unless": "x"}]}')$$,
  '%run_unless%"a"%object%', 'define_flow: a string run_unless is rejected, naming the step');
SELECT is(
  (SELECT count(*)::int FROM pgflow.flows WHERE flow_slug = 'patterns_df'),
  0, 'define_flow: nothing was written');
SELECT * FROM finish();
ROLLBACK;
