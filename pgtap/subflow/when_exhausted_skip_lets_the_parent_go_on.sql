BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "enrich", "max_attempts": 1, "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "max_attempts": 1, "steps": [
  {"slug": "customer", "subflow": "enrich", "when_exhausted": "skip"}, {"slug": "ship", "deps": ["customer"]}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.fail_task(run_id => t.run_id, step_slug => t.step_slug, error_message => 'down')
  FROM pgflow.claim_tasks(worker_id => 'w1') AS t;
SELECT results_eq(
  $$SELECT status, skip_reason FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'customer'$$,
  $$SELECT 'skipped', format('task 0 of step "customer" failed after 1 attempt: child run %s of flow "enrich" failed: '
                             'task 0 of step "lookup" failed after 1 attempt: down (when_exhausted = skip)', r.run_id)
      FROM pgflow.runs AS r WHERE r.parent_run_id IS NOT NULL$$,
  'the last child failed: the step is skipped with the reason');
SELECT results_eq($$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('ship', '{"run": {}}'::jsonb)$$, 'its dependent runs without it');
SELECT is((SELECT status FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'), 'started', 'the parent goes on');
SELECT * FROM finish();
ROLLBACK;
