BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "timeout": 30, "steps": [{"slug": "own", "timeout": 5}, {"slug": "inherits"}]}');
SELECT pgflow.start_flow(flow_slug => 'f');
CREATE TEMP TABLE claimed AS SELECT * FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT results_eq(
  $$SELECT step_slug, lease_expires_at - now() FROM claimed ORDER BY step_slug$$,
  $$VALUES ('inherits', interval '30 seconds'), ('own', interval '5 seconds')$$,
  'the lease is now() + the step timeout, or the flow''s when the step has none');
SELECT results_eq(
  $$SELECT step_slug, available_at - now() FROM pgflow.step_tasks ORDER BY step_slug$$,
  $$VALUES ('inherits', interval '30 seconds'), ('own', interval '5 seconds')$$,
  'available_at of a started task is its lease expiry');
SELECT results_eq(
  $$SELECT c.lease_expires_at FROM claimed AS c ORDER BY c.step_slug$$,
  $$SELECT t.available_at FROM pgflow.step_tasks AS t ORDER BY t.step_slug$$,
  'lease_expires_at is the stored available_at');
SELECT * FROM finish();
ROLLBACK;
