BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "timeout": 60, "steps": [{"slug": "own", "timeout": 45}, {"slug": "inherits"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
-- Shorten both leases so a renewal is visible.
UPDATE pgflow.step_tasks SET available_at = now() + interval '2 seconds';
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'own', attempt => 1),
  now() + interval '45 seconds', 'without seconds: now() + the step timeout');
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'inherits', attempt => 1),
  now() + interval '60 seconds', 'a step without timeout: now() + the flow timeout');
SELECT results_eq($$SELECT step_slug, available_at - now() FROM pgflow.step_tasks ORDER BY 1$$,
  $$VALUES ('inherits', interval '60 seconds'), ('own', interval '45 seconds')$$, 'the stored leases match');
-- A tunable changed since the claim applies to the renewal.
SELECT pgflow.define_flow('{"slug": "f", "timeout": 60, "steps": [{"slug": "own", "timeout": 90}, {"slug": "inherits"}]}');
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'own', attempt => 1),
  now() + interval '90 seconds', 'the renewal uses the current step timeout');
SELECT * FROM finish();
ROLLBACK;
