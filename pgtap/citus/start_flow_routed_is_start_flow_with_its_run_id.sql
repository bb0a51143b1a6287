-- start_flow_routed: start_flow with the run id first and required (the form Citus
-- routes); the same run, the same idempotency.
BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "routed", "steps": [{"slug": "a"}]}');
SELECT results_eq(
  $$SELECT run_id, status FROM pgflow.start_flow_routed(run_id => '00000000-0000-0000-0000-0000000000a1', flow_slug => 'routed', input => '{"x": 1}')$$,
  $$VALUES ('00000000-0000-0000-0000-0000000000a1'::uuid, 'started')$$,
  'the run gets the run id passed');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE run_id = '00000000-0000-0000-0000-0000000000a1'), 1,
  'its root task was queued');
SELECT results_eq(
  $$SELECT run_id FROM pgflow.start_flow_routed(run_id => '00000000-0000-0000-0000-0000000000a1', flow_slug => 'routed', input => '{"x": 2}')$$,
  $$VALUES ('00000000-0000-0000-0000-0000000000a1'::uuid)$$,
  'idempotent on run_id');
SELECT pgflow.start_flow(flow_slug => 'routed', idempotency_key => 'k');
SELECT results_eq(
  $$SELECT r.run_id FROM pgflow.start_flow_routed(run_id => pgflow.idempotent_run_id('routed', 'k'), flow_slug => 'routed', idempotency_key => 'k') AS r$$,
  $$SELECT r.run_id FROM pgflow.runs AS r WHERE r.idempotency_key = 'k'$$,
  'a keyed routed start returns the run the key started, whatever its id');
SELECT throws_ok($$SELECT * FROM pgflow.start_flow_routed(run_id => NULL, flow_slug => 'routed')$$, '22004',
  'start_flow_routed of flow "routed" needs a run_id', 'a NULL run_id is refused');
SELECT * FROM finish();
ROLLBACK;
