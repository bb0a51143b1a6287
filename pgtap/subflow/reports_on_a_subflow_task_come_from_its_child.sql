BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "customer", "subflow": "enrich"}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', run_id => '00000000-0000-0000-0000-000000000001');
SELECT throws_ok($$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'customer', output => '1')$$,
  '55000', 'cannot record the completion of task 0 of step "customer" in run 00000000-0000-0000-0000-000000000001: it is a subflow step''s task, settled by its child run',
  'a worker cannot complete a subflow step''s task');
SELECT throws_ok($$SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'customer', error_message => 'x')$$,
  '55000', NULL, 'nor fail it');
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'customer'), NULL,
  'nor extend a lease it does not have');
SELECT * FROM finish();
ROLLBACK;
