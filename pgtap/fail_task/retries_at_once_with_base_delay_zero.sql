BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 3, "base_delay": 0, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'boom');
SELECT results_eq($$SELECT status, available_at - now() FROM pgflow.step_tasks$$,
  $$VALUES ('queued', interval '0')$$, 'queued again, available now');
SELECT results_eq($$SELECT step_slug, attempt FROM pgflow.claim_tasks(worker_id => 'w2')$$,
  $$VALUES ('a', 2)$$, 'claimable again at once, as attempt 2');
SELECT is((SELECT worker_id FROM pgflow.step_tasks), 'w2', 'the new worker holds it');
SELECT * FROM finish();
ROLLBACK;
