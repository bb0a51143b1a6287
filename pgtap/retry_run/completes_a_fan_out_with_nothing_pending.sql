-- A run must always be able to end. A fan-out step can be cancelled with every
-- task completed (0.1 left that when its last report raced cancel_run, see the
-- isolation spec fan_out_last_report_races_cancel_then_retry). retry_run then
-- completes the step at once, with its outputs, instead of restarting it with
-- nothing to claim, and the run goes on to the end.
BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "items"}, {"slug": "each", "deps": ["items"], "fan_out": true}, {"slug": "total", "deps": ["each"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'items', output => '[10, 11]');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each', output => to_jsonb(i),
                            task_index => i, attempt => 1) FROM generate_series(0, 1) AS i WHERE i = 0;
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001');
-- What the race left: the last task completed after all, its shard emptied.
UPDATE pgflow.step_tasks SET status = 'completed', output = '1' WHERE step_slug = 'each' AND task_index = 1;
UPDATE pgflow.fan_out_shards SET remaining = 0;
SELECT is((SELECT status FROM pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001')), 'started',
  'the run is retried');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'each'$$,
  $$VALUES ('completed', '[0, 1]'::jsonb)$$, 'the fan-out completed at once with its outputs');
SELECT results_eq($$SELECT step_slug, status FROM pgflow.step_tasks WHERE step_slug = 'total'$$,
  $$VALUES ('total', 'queued')$$, 'its dependent is claimable');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'total', output => '2');
SELECT is((SELECT status FROM pgflow.runs), 'completed', 'and the run ends');
SELECT * FROM finish();
ROLLBACK;
