BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "base_delay": 0, "steps": [{"slug": "a", "max_concurrency": 1}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000002');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 minute'
 WHERE run_id = '00000000-0000-0000-0000-000000000001';
SELECT results_eq($$SELECT run_id FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)$$,
  $$VALUES ('00000000-0000-0000-0000-000000000001'::uuid)$$, 'one task in flight, the oldest');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'boom');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 1,
  'the failed attempt is not in flight any more: one task is claimed in its place');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status = 'started'), 1, 'still one in flight');
SELECT * FROM finish();
ROLLBACK;
