BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000002', priority => 5);
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000003', priority => -1);
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000004', priority => 5);
-- Oldest first within a priority: run 4's task is older than run 2's.
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 minute' WHERE run_id = '00000000-0000-0000-0000-000000000004';
UPDATE pgflow.step_tasks SET available_at = now() - interval '2 minutes' WHERE run_id = '00000000-0000-0000-0000-000000000003';
SELECT is((SELECT priority FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000002'), 5, 'the run keeps its priority');
SELECT results_eq(
  $$SELECT run_id FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)
    UNION ALL SELECT run_id FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)
    UNION ALL SELECT run_id FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)
    UNION ALL SELECT run_id FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)$$,
  $$VALUES ('00000000-0000-0000-0000-000000000004'::uuid), ('00000000-0000-0000-0000-000000000002'),
           ('00000000-0000-0000-0000-000000000001'), ('00000000-0000-0000-0000-000000000003')$$,
  'priority 5 (oldest first), then 0, then -1 (though it is the oldest)');
SELECT * FROM finish();
ROLLBACK;
