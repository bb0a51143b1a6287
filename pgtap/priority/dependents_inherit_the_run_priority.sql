BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001', priority => 9);
SELECT pgflow.start_flow(flow_slug => 'f') FROM generate_series(1, 3);
SELECT pgflow.complete_task(run_id => run_id, step_slug => 'a', output => '1')
  FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1);
SELECT is((SELECT priority FROM pgflow.step_tasks WHERE step_slug = 'b'), 9, 'the dependent task has the run''s priority');
SELECT results_eq($$SELECT run_id, step_slug FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)$$,
  $$VALUES ('00000000-0000-0000-0000-000000000001'::uuid, 'b')$$, 'and goes before the older priority-0 roots');
SELECT * FROM finish();
ROLLBACK;
