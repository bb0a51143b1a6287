BEGIN;
SELECT plan(4);
SELECT pgflow.create_flow(flow_slug => 'empty');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.start_flow(flow_slug => 'empty', run_id => '00000000-0000-0000-0000-000000000001')$$,
  $$VALUES ('completed', '{}'::jsonb)$$,
  'start_flow returns the run completed with output {}');
SELECT results_eq(
  $$SELECT status, output, finished_at IS NOT NULL FROM pgflow.runs$$,
  $$VALUES ('completed', '{}'::jsonb, true)$$,
  'the stored run is completed and finished');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks), 0, 'no task was created');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'nothing to claim');
SELECT * FROM finish();
ROLLBACK;
