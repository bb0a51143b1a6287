BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');           -- w1 holds attempt 1
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT lives_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                                output => '"from w1"', attempt => 1)$$,
  'a report from before the retry, before anyone reclaimed the task, is ignored, not an error');
SELECT results_eq($$SELECT attempt FROM pgflow.claim_tasks(worker_id => 'w2')$$, $$VALUES (2)$$,
  'w2 claims the task as attempt 2: attempt numbers continue across the retry');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                            output => '"from w1"', attempt => 1);
SELECT results_eq($$SELECT status FROM pgflow.step_tasks$$, $$VALUES ('started')$$,
  'w1''s stale report does not complete w2''s attempt');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                            output => '"from w2"', attempt => 2);
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"a": "from w2"}'::jsonb)$$,
  'w2''s report is the one accepted');
SELECT * FROM finish();
ROLLBACK;
