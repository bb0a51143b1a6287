-- Critique 2.5: complete_task commits everything or nothing. This file commits:
-- two real transactions, the first rolled back, the second committed.
SELECT plan(9);
SELECT pgflow.define_flow('{"slug": "pipeline", "steps": [
  {"slug": "fetch_data"}, {"slug": "transform", "deps": ["fetch_data"]}, {"slug": "report", "deps": ["fetch_data"]}]}');
SELECT pgflow.start_flow(flow_slug => 'pipeline', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');

BEGIN;
SELECT pgflow.complete_task(
  run_id => '00000000-0000-0000-0000-000000000001',
  step_slug => 'fetch_data',
  output => '{"data":"..."}'
);
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug IN ('transform', 'report')), 2,
  'inside the transaction the dependents exist');
ROLLBACK;

SELECT results_eq($$SELECT status, attempt FROM pgflow.step_tasks WHERE step_slug = 'fetch_data'$$,
  $$VALUES ('started', 1)$$, 'rolled back: the task is still started');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'fetch_data'$$,
  $$VALUES ('started', NULL::jsonb)$$, 'rolled back: no output is stored');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug IN ('transform', 'report')), 0,
  'rolled back: the dependents have no tasks');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w2')$$, 'rolled back: nothing new is claimable');

BEGIN;
SELECT pgflow.complete_task(
  run_id => '00000000-0000-0000-0000-000000000001',
  step_slug => 'fetch_data',
  output => '{"data":"..."}'
);
COMMIT;

SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'fetch_data'$$,
  $$VALUES ('completed', '{"data":"..."}'::jsonb)$$, 'committed: the step completed with its output');
SELECT results_eq($$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w2') ORDER BY step_slug$$,
  $$VALUES ('report', '{"run": {}, "fetch_data": {"data":"..."}}'::jsonb),
           ('transform', '{"run": {}, "fetch_data": {"data":"..."}}'::jsonb)$$,
  'committed: both dependents are claimable and see the output');
SELECT results_eq($$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('fetch_data', 'completed'), ('report', 'started'), ('transform', 'started')$$,
  'committed: the dependents started together with the completion');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks), 3, 'one task per step, none duplicated');
SELECT * FROM finish();
