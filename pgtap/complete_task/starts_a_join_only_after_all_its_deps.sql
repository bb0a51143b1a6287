BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "steps": [
  {"slug": "a"}, {"slug": "b"}, {"slug": "c"}, {"slug": "join", "deps": ["a", "b", "c"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', output => '"B"');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'one of three deps done: the join is not claimable');
SELECT results_eq($$SELECT status, remaining_deps FROM pgflow.step_states WHERE step_slug = 'join'$$,
  $$VALUES ('created', 2)$$, 'the join waits for two deps');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'c', output => '"C"');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'two of three deps done: still not claimable');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'join'), 0, 'no task for the join yet');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '"A"');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('join', '{"run": {}, "a": "A", "b": "B", "c": "C"}'::jsonb)$$,
  'after the last dep the join is claimable with all three outputs');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'join'), 1, 'exactly one join task');
SELECT * FROM finish();
ROLLBACK;
