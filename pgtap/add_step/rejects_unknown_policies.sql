BEGIN;
SELECT plan(9);

SELECT pgflow.create_flow(flow_slug => 'policies');

SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'policies', step_slug => 's', when_unmet => 'ignore')$$,
  '22023', NULL, 'when_unmet "ignore" is rejected');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'policies', step_slug => 's', when_unmet => 'ignore')$$,
  '%when_unmet%ignore%', 'the message names when_unmet and the bad value');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'policies', step_slug => 's', when_unmet => 'skip_cascade')$$,
  '22023', NULL, 'when_unmet "skip_cascade" (underscore) is rejected');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'policies', step_slug => 's', when_exhausted => 'retry')$$,
  '22023', NULL, 'when_exhausted "retry" is rejected');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'policies', step_slug => 's', when_exhausted => 'retry')$$,
  '%when_exhausted%retry%', 'the message names when_exhausted and the bad value');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'policies', step_slug => 's', when_exhausted => 'FAIL')$$,
  '22023', NULL, 'values are case-sensitive: "FAIL" is rejected');
SELECT is((SELECT count(*)::int FROM pgflow.steps), 0, 'no step was written');

SELECT lives_ok($$
  SELECT pgflow.add_step(flow_slug => 'policies', step_slug => 'a', when_unmet => 'skip', when_exhausted => 'skip');
  SELECT pgflow.add_step(flow_slug => 'policies', step_slug => 'b', when_unmet => 'skip-cascade', when_exhausted => 'skip-cascade');
  SELECT pgflow.add_step(flow_slug => 'policies', step_slug => 'c', when_unmet => 'fail', when_exhausted => 'fail');
$$, 'skip, skip-cascade and fail are accepted for both');
SELECT results_eq(
  $$SELECT step_slug, when_unmet, when_exhausted FROM pgflow.steps ORDER BY step_index$$,
  $$VALUES ('a', 'skip', 'skip'), ('b', 'skip-cascade', 'skip-cascade'), ('c', 'fail', 'fail')$$,
  'the accepted policies are stored');

SELECT * FROM finish();
ROLLBACK;
