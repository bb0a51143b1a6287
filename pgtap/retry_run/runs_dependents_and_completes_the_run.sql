BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [
  {"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', error_message => 'boom');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'c'), 0, 'c never started in the failed run');

SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w2');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', output => '2');
SELECT results_eq($$SELECT step_slug, attempt, input FROM pgflow.claim_tasks(worker_id => 'w2')$$,
  $$VALUES ('c', 1, '{"run": {}, "b": 2}'::jsonb)$$, 'the dependent of the retried step runs after it, with its output');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'c', output => '3');
SELECT results_eq($$SELECT status, output, error_message, finished_at IS NOT NULL FROM pgflow.runs$$,
  $$VALUES ('completed', '{"c": 3}'::jsonb, NULL::text, true)$$, 'the run completes with the leaf output');
SELECT results_eq($$SELECT step_slug, status, output FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('a', 'completed', '1'::jsonb), ('b', 'completed', '2'), ('c', 'completed', '3')$$,
  'every step completed, each once');
SELECT * FROM finish();
ROLLBACK;
