BEGIN;
SELECT plan(5);
-- a completed, b in flight, c queued (after a) when the run was cancelled.
SELECT pgflow.define_flow('{"slug": "f", "steps": [
  {"slug": "a"}, {"slug": "b"}, {"slug": "c", "deps": ["a"]}, {"slug": "d", "deps": ["b", "c"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '"A"');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001', reason => 'oops');

SELECT results_eq(
  $$SELECT status, error_message FROM pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001')$$,
  $$VALUES ('started', NULL::text)$$, 'a cancelled run can be retried');
SELECT results_eq(
  $$SELECT step_slug, attempt FROM pgflow.claim_tasks(worker_id => 'w2', max_tasks => 10) ORDER BY step_slug$$,
  $$VALUES ('b', 2), ('c', 1)$$, 'the cancelled steps run again (b had one attempt, c none); the completed one does not');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', output => '"B"');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'c', output => '"C"');
SELECT results_eq($$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w2')$$,
  $$VALUES ('d', '{"run": {}, "b": "B", "c": "C"}'::jsonb)$$, 'the join runs once both have completed');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'd', output => '"D"');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"d": "D"}'::jsonb)$$,
  'the run completes');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'a'), 1, 'a ran once');
SELECT * FROM finish();
ROLLBACK;
