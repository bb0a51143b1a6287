-- A worker registers one row per worker_id, with a bounded id and step_keys list.
BEGIN;
SELECT plan(4);
SELECT pgflow.worker_heartbeat(worker_id => 'w1', step_keys => '{f/1/a}');
SELECT pgflow.worker_heartbeat(worker_id => 'w1', step_keys => '{f/1/a,f/1/b}', idle => true);
SELECT results_eq($$SELECT worker_id, step_keys, idle FROM pgflow.workers$$,
  $$VALUES ('w1', '{f/1/a,f/1/b}'::text[], true)$$, 'a second heartbeat updates the worker''s one row');
SELECT throws_like($$SELECT pgflow.worker_heartbeat(worker_id => repeat('w', 256))$$,
  'worker_id must be at most 255 characters%', 'a worker_id over 255 characters is refused');
SELECT throws_ok($$SELECT pgflow.worker_heartbeat(worker_id => 'w2', step_keys => ARRAY(SELECT 'f/1/s' || i FROM generate_series(1, 10001) AS i))$$,
  '22023', 'step_keys of worker "w2" must list at most 10000 steps, got 10001', 'more than 10000 step keys are refused');
SELECT is((SELECT count(*)::int FROM pgflow.workers), 1, 'refused heartbeats register nothing');
SELECT * FROM finish();
ROLLBACK;
