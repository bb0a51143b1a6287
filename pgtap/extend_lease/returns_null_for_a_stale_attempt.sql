BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "timeout": 60, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second';
SELECT is((SELECT attempt FROM pgflow.claim_tasks(worker_id => 'w2')), 2, 'reclaimed as attempt 2');
UPDATE pgflow.step_tasks SET available_at = now() + interval '7 seconds';
SELECT is(pgflow.extend_lease(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', attempt => 1, seconds => 600),
  NULL, 'extending attempt 1''s lease returns NULL (with a NOTICE)');
SELECT results_eq($$SELECT status, attempt, worker_id, available_at - now() FROM pgflow.step_tasks$$,
  $$VALUES ('started', 2, 'w2', interval '7 seconds')$$, 'attempt 2''s lease is untouched');
SELECT * FROM finish();
ROLLBACK;
