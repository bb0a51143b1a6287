-- A fan-out that never completed a task starts over after retry_run, over what
-- its dependency returns this time. When that array is shorter than the first
-- one, the tasks and counter shards of the first start must not be left to
-- wait for: the step completes once the new tasks do.
BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [{"slug": "items"}, {"slug": "each", "deps": ["items"], "fan_out": true}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'items',
                            output => (SELECT jsonb_agg(i) FROM generate_series(1, 20) AS i));
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001');
-- The dependency runs again (retry_run re-runs cancelled steps; make items one of them).
UPDATE pgflow.step_states SET status = 'cancelled', output = NULL WHERE step_slug = 'items';
SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'items', output => '[1, 2]');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'each'), 2, 'the fan-out has two tasks now');
SELECT pgflow.complete_task(run_id => c.run_id, step_slug => c.step_slug, output => to_jsonb(c.task_index),
                            task_index => c.task_index, attempt => c.attempt, lease_token => c.lease_token)
  FROM pgflow.claim_tasks(worker_id => 'w1') AS c;
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'each'$$,
  $$VALUES ('completed', '[0, 1]'::jsonb)$$, 'it completes with their outputs');
SELECT is((SELECT status FROM pgflow.runs), 'completed', 'and the run ends');
SELECT * FROM finish();
ROLLBACK;
