BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "leaf", "steps": [{"slug": "work"}]}');
SELECT pgflow.define_flow('{"slug": "middle", "steps": [{"slug": "inner", "subflow": "leaf"}, {"slug": "own"}]}');
SELECT pgflow.define_flow('{"slug": "top", "steps": [{"slug": "items"},
  {"slug": "each", "deps": ["items"], "fan_out": true, "subflow": "middle"}]}');
SELECT pgflow.start_flow(flow_slug => 'top', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => t.step_slug, output => '[1, 2]')
  FROM pgflow.claim_tasks(worker_id => 'w1') AS t;
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT is((SELECT count(*)::int FROM pgflow.runs WHERE status = 'started'), 5,
  'the parent runs two middle children, each running a leaf child');

SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001', reason => 'customer left');
SELECT results_eq($$SELECT flow_slug, status, count(*)::int FROM pgflow.runs GROUP BY 1, 2 ORDER BY 1$$,
  $$VALUES ('leaf', 'cancelled', 2), ('middle', 'cancelled', 2), ('top', 'cancelled', 1)$$,
  'cancelling the parent cancelled its children, and theirs');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status IN ('queued', 'started')), 0,
  'no task of any of them is left to claim or to report');
SELECT results_eq(
  $$SELECT DISTINCT error_message FROM pgflow.runs WHERE flow_slug = 'middle'$$,
  $$VALUES ('cancelled: its parent run 00000000-0000-0000-0000-000000000001 no longer waits for step "each"')$$,
  'a child says why it was cancelled');
SELECT * FROM finish();
ROLLBACK;
