-- Without Citus, claim_node_tasks is claim_tasks (its route is not needed), so a
-- worker's claim is the same call on one node and on Citus.
BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "node", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'node', run_id => '00000000-0000-0000-0000-0000000000b1');
SELECT results_eq(
  $$SELECT run_id, step_slug, attempt, input FROM pgflow.claim_node_tasks(route => gen_random_uuid(), worker_id => 'w1')$$,
  $$VALUES ('00000000-0000-0000-0000-0000000000b1'::uuid, 'a', 1, '{"run": {}}'::jsonb)$$,
  'claim_node_tasks hands out the task, as claim_tasks would');
SELECT is((SELECT worker_id FROM pgflow.step_tasks), 'w1', 'the task is started by that worker');
SELECT throws_ok($$SELECT * FROM pgflow.claim_node_tasks(route => NULL, worker_id => 'w1')$$, '22004',
  'claim_node_tasks needs a route', 'a NULL route is refused');
SELECT * FROM finish();
ROLLBACK;
