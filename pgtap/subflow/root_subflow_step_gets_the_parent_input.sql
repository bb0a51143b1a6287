BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "customer", "subflow": "enrich"}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', input => '{"customer_id": 7}',
                         run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq(
  $$SELECT flow_slug, input, parent_step_slug, parent_task_index FROM pgflow.runs WHERE parent_run_id IS NOT NULL$$,
  $$VALUES ('enrich', '{"customer_id": 7}'::jsonb, 'customer', 0)$$,
  'a subflow step without dependencies starts its child with the parent run''s input, in start_flow');
SELECT results_eq(
  $$SELECT flow_slug, input FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('enrich', '{"run": {"customer_id": 7}}'::jsonb)$$,
  'the child''s root step is claimable at once');
SELECT * FROM finish();
ROLLBACK;
