BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "timeout": 60, "steps": [{"slug": "a"}, {"slug": "b", "timeout": 10}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq(
  $$SELECT step_slug, lease_expires_at - now() FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 2)
     ORDER BY step_slug$$,
  $$VALUES ('a', interval '60 seconds'), ('b', interval '10 seconds')$$,
  'claims before the change get the old timeouts');
-- Same shape, new tunables: updated in place on the version that has runs.
SELECT pgflow.define_flow('{"slug": "f", "timeout": 120, "steps": [{"slug": "a"}, {"slug": "b", "timeout": 20}]}');
SELECT is((SELECT count(*)::int FROM pgflow.flows WHERE flow_slug = 'f'), 1, 'no new version for a tunable change');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000002');
SELECT results_eq(
  $$SELECT step_slug, lease_expires_at - now() FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 2)
     ORDER BY step_slug$$,
  $$VALUES ('a', interval '120 seconds'), ('b', interval '20 seconds')$$,
  'the next claim uses the new flow and step timeouts');
SELECT results_eq(
  $$SELECT step_slug, available_at - now() FROM pgflow.step_tasks
     WHERE run_id = '00000000-0000-0000-0000-000000000001' ORDER BY step_slug$$,
  $$VALUES ('a', interval '60 seconds'), ('b', interval '10 seconds')$$,
  'leases already granted are unchanged');
SELECT * FROM finish();
ROLLBACK;
