BEGIN;
SELECT plan(6);

SELECT pgflow.create_flow(flow_slug => 'keys');
SELECT pgflow.add_step(flow_slug => 'keys', step_slug => 'score');
SELECT pgflow.add_step(flow_slug => 'keys', step_slug => 'other');

SELECT throws_like(
  $$SELECT pgflow.add_step(flow_slug => 'keys', step_slug => 'reward', deps => ARRAY['score'],
                           run_if => '{"userIsVIP": true}')$$,
  '%userIsVIP%', 'a run_if key that is neither "run" nor a dependency is rejected, naming the key');
SELECT throws_like(
  $$SELECT pgflow.add_step(flow_slug => 'keys', step_slug => 'reward', deps => ARRAY['score'],
                           run_unless => '{"other": {"x": 1}}')$$,
  '%other%', 'a run_unless key naming a step that is not a dependency is rejected');
SELECT throws_ok(
  $$SELECT pgflow.add_step(flow_slug => 'keys', step_slug => 'reward', deps => ARRAY['score'],
                           run_unless => '{"other": {"x": 1}}')$$,
  '22023', NULL, 'with SQLSTATE 22023');
SELECT is((SELECT count(*)::int FROM pgflow.steps WHERE step_slug = 'reward'), 0, 'the rejected step was not written');
SELECT lives_ok(
  $$SELECT pgflow.add_step(flow_slug => 'keys', step_slug => 'reward', deps => ARRAY['score'],
                           run_if => '{"run": {"userIsVIP": true}, "score": {"high": true}}')$$,
  'keys "run" and a dependency are accepted');
SELECT results_eq(
  $$SELECT run_if FROM pgflow.steps WHERE step_slug = 'reward'$$,
  $$VALUES ('{"run": {"userIsVIP": true}, "score": {"high": true}}'::jsonb)$$,
  'the condition is stored as given');

SELECT * FROM finish();
ROLLBACK;
