-- A ready signal step is started, makes no task, and records its deadline;
-- claim_tasks hands workers nothing for it.
BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "draft"}, {"slug": "approval", "deps": ["draft"], "signal": true, "signal_timeout": 3600}, {"slug": "publish", "deps": ["approval"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'approval'), 'created', 'not ready: created');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'draft', output => '"text"');
SELECT results_eq($$SELECT status, started_at FROM pgflow.step_states WHERE step_slug = 'approval'$$,
  $$VALUES ('started', now())$$, 'ready: started, waiting since now');
SELECT is((SELECT count(*) FROM pgflow.step_tasks WHERE step_slug = 'approval'), 0::bigint, 'it has no task');
SELECT is((SELECT deadline FROM pgflow.signal_deadlines WHERE step_slug = 'approval'), now() + interval '3600 seconds',
  'its deadline is signal_timeout from now');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'workers get nothing to claim');
SELECT * FROM finish();
ROLLBACK;
