BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [{"slug": "a"}, {"slug": "b"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
-- a is older, so a batch of one takes it and b stays queued.
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second' WHERE step_slug = 'a';
SELECT results_eq($$SELECT step_slug FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)$$,
  $$VALUES ('a')$$, 'a is claimed, b stays queued');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'boom');
SELECT is((SELECT status FROM pgflow.runs), 'failed', 'the run failed');
SELECT is((SELECT status FROM pgflow.step_tasks WHERE step_slug = 'b'), 'cancelled', 'the parallel branch''s queued task is cancelled');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w2')$$, 'and never claimed');
SELECT * FROM finish();
ROLLBACK;
