-- A report that passes a lease_token counts only while it is the task's current
-- one: the report of a claim that was lost or replaced is ignored with a NOTICE,
-- changes nothing, and the holder of the current lease still completes.
BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
CREATE TEMP TABLE claimed AS SELECT * FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT lives_ok($$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
  output => '"phantom"', attempt => 1, lease_token => gen_random_uuid())$$,
  'a completion under another lease_token does not raise');
SELECT results_eq($$SELECT t.status, ss.status, ss.output FROM pgflow.step_tasks AS t JOIN pgflow.step_states AS ss USING (run_id, step_slug)$$,
  $$VALUES ('started', 'started', NULL::jsonb)$$, 'and changes nothing');
SELECT is((SELECT status FROM pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
  output => '"live"', attempt => 1, lease_token => (SELECT lease_token FROM claimed))), 'completed',
  'the report with the current lease_token counts');
SELECT is((SELECT output FROM pgflow.step_states), '"live"'::jsonb, 'its output is stored');
SELECT is((SELECT status FROM pgflow.runs), 'completed', 'and the run completes');
SELECT * FROM finish();
ROLLBACK;
