-- when_unmet = skip (the default): the join J(A, B) still runs after A is skipped,
-- and its input has no "A" key.
BEGIN;
SELECT plan(5);

SELECT pgflow.define_flow('{"slug": "join_skip", "steps": [
  {"slug": "a", "run_if": {"run": {"with_a": true}}},
  {"slug": "b"},
  {"slug": "j", "deps": ["a", "b"]},
  {"slug": "k", "deps": ["j"]}]}');
SELECT pgflow.start_flow(flow_slug => 'join_skip', input => '{"with_a": false}',
                         run_id => '00000000-0000-0000-0000-000000000001');

SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('a', 'skipped'), ('b', 'started'), ('j', 'created'), ('k', 'created')$$,
  'a is skipped; j waits for b');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', output => '{"b": 1}')
  FROM pgflow.claim_tasks(worker_id => 'w');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('j', '{"run": {"with_a": false}, "b": {"b": 1}}'::jsonb)$$,
  'j runs with b''s output and no "a" key');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'j', output => '"j"');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('k', '{"run": {"with_a": false}, "j": "j"}'::jsonb)$$,
  'downstream of j runs as usual');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'k', output => '"k"');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.runs$$,
  $$VALUES ('completed', '{"k": "k"}'::jsonb)$$,
  'the run completes');
SELECT is(
  (SELECT count(*)::int FROM pgflow.step_states WHERE status = 'skipped'),
  1, 'only a was skipped');
SELECT * FROM finish();
ROLLBACK;
