BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second'
 WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'a';
-- Nobody reclaimed it yet: the slow holder's completion still counts.
SELECT results_eq(
  $$SELECT status, attempt FROM pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001',
      step_slug => 'a', output => '"late"', attempt => 1)$$,
  $$VALUES ('completed', 1)$$, 'the late completion from attempt 1 is accepted');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"a": "late"}'::jsonb)$$,
  'its output completes the run');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w2')$$, 'the completed task is not reclaimed');
SELECT * FROM finish();
ROLLBACK;
