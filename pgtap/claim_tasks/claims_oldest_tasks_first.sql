BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-00000000000b');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-00000000000a');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-00000000000c');
-- Age the tasks as if the runs had started a, then c, then b (not in run_id or insertion order).
UPDATE pgflow.step_tasks SET queued_at = now() - interval '30 seconds', available_at = now() - interval '30 seconds'
 WHERE run_id = '00000000-0000-0000-0000-00000000000a';
UPDATE pgflow.step_tasks SET queued_at = now() - interval '20 seconds', available_at = now() - interval '20 seconds'
 WHERE run_id = '00000000-0000-0000-0000-00000000000c';
UPDATE pgflow.step_tasks SET queued_at = now() - interval '10 seconds', available_at = now() - interval '10 seconds'
 WHERE run_id = '00000000-0000-0000-0000-00000000000b';
SELECT is((SELECT run_id FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)),
  '00000000-0000-0000-0000-00000000000a'::uuid, 'the oldest task is claimed first');
SELECT is((SELECT run_id FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)),
  '00000000-0000-0000-0000-00000000000c'::uuid, 'then the next oldest');
SELECT is((SELECT run_id FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)),
  '00000000-0000-0000-0000-00000000000b'::uuid, 'then the newest');
SELECT * FROM finish();
ROLLBACK;
