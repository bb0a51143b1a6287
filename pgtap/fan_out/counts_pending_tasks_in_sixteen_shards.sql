BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "items"}, {"slug": "each", "deps": ["items"], "fan_out": true}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'items',
                            output => (SELECT jsonb_agg(i) FROM generate_series(1, 40) AS i));
SELECT results_eq($$SELECT shard, remaining FROM pgflow.fan_out_shards ORDER BY shard$$,
  $$SELECT s, CASE WHEN s < 8 THEN 3 ELSE 2 END FROM generate_series(0, 15) AS s$$,
  '40 tasks are counted in 16 shards by task_index % 16');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 100);
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            task_index => i, output => to_jsonb(i)) FROM generate_series(0, 38) AS i;
SELECT results_eq($$SELECT shard, remaining FROM pgflow.fan_out_shards WHERE remaining > 0$$,
  $$VALUES (7, 1)$$, 'each completion counts down its own shard: only task 39''s is left');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'each'), 'started', 'the step waits for it');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            task_index => 39, output => to_jsonb(39));
SELECT results_eq($$SELECT status, output, remaining_tasks FROM pgflow.step_states WHERE step_slug = 'each'$$,
  $$SELECT 'completed', jsonb_agg(i ORDER BY i), 0 FROM generate_series(0, 39) AS i$$,
  'the completion that empties the last shard completes the step, outputs in index order');
SELECT * FROM finish();
ROLLBACK;
