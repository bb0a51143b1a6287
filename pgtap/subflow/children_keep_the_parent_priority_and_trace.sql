BEGIN;
SELECT plan(1);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "customer", "subflow": "enrich"}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', priority => 5,
                         traceparent => '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
SELECT results_eq($$SELECT priority, traceparent FROM pgflow.runs WHERE parent_run_id IS NOT NULL$$,
  $$VALUES (5, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')$$,
  'a child run has its parent''s priority (its tasks are claimed as the parent''s would be) and trace');
SELECT * FROM finish();
ROLLBACK;
