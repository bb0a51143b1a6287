BEGIN;
SELECT plan(7);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f');
SELECT throws_ok($$SELECT * FROM pgflow.claim_tasks(worker_id => NULL)$$, '22023', NULL, 'a NULL worker_id raises 22023');
SELECT throws_ok($$SELECT * FROM pgflow.claim_tasks(worker_id => '')$$, '22023', NULL, 'an empty worker_id raises 22023');
SELECT throws_ok($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 0)$$, '22023', NULL, 'max_tasks 0 raises 22023');
SELECT throws_ok($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => -5)$$, '22023', NULL, 'a negative max_tasks raises 22023');
SELECT throws_like($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 0)$$, '%max_tasks%', 'the error names max_tasks');
SELECT throws_like($$SELECT * FROM pgflow.claim_tasks(worker_id => '')$$, '%worker_id%', 'the error names worker_id');
SELECT results_eq($$SELECT status, attempt FROM pgflow.step_tasks$$, $$VALUES ('queued', 0)$$,
  'rejected claims leave the task queued');
SELECT * FROM finish();
ROLLBACK;
