BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"x": 1}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'nothing is claimable before a completes');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '[1, 2]');
SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states WHERE step_slug IN ('b', 'c') ORDER BY 1$$,
  $$VALUES ('b', 'started'), ('c', 'started')$$,
  'both dependents started');
SELECT results_eq(
  $$SELECT step_slug, attempt, input FROM pgflow.claim_tasks(worker_id => 'w2') ORDER BY step_slug$$,
  $$VALUES ('b', 1, '{"run": {"x": 1}, "a": [1, 2]}'::jsonb), ('c', 1, '{"run": {"x": 1}, "a": [1, 2]}'::jsonb)$$,
  'the dependents are claimable right after, in the same transaction, with a''s output');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks), 3, 'one task per dependent, created once');
SELECT * FROM finish();
ROLLBACK;
