BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', idempotency_key => 'k', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq($$SELECT run_id, status FROM pgflow.start_flow(flow_slug => 'f', idempotency_key => 'k')$$,
  $$VALUES ('00000000-0000-0000-0000-000000000001'::uuid, 'cancelled')$$, 'a cancelled run is returned, not restarted');
SELECT is((SELECT count(*)::int FROM pgflow.runs), 1, 'no new run');
SELECT * FROM finish();
ROLLBACK;
