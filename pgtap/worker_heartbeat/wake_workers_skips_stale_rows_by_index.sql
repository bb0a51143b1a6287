-- 100,000 stale worker rows (gone, not yet pruned) do not make every start scan
-- the table: _wake_workers finds the live workers by the last_seen_at index.
BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
INSERT INTO pgflow.workers (worker_id, step_keys, last_seen_at)
SELECT 'stale-' || i, '{f/1/a}', now() - interval '1 day' FROM generate_series(1, 100000) AS i;
SELECT pgflow.worker_heartbeat(worker_id => 'live', step_keys => '{f/1/a}', idle => true);
ANALYZE pgflow.workers;
CREATE TEMP TABLE before AS
SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relid = 'pgflow.workers'::regclass;
SELECT pgflow.start_flow(flow_slug => 'f');
SELECT is((SELECT s.seq_scan - b.seq_scan FROM pg_stat_xact_user_tables AS s, before AS b
            WHERE s.relid = 'pgflow.workers'::regclass), 0::bigint, 'starting a run scans no worker row sequentially');
SELECT cmp_ok((SELECT s.idx_scan - b.idx_scan FROM pg_stat_xact_user_tables AS s, before AS b
                WHERE s.relid = 'pgflow.workers'::regclass), '>', 0::bigint, 'it reads the workers by index');
SELECT * FROM finish();
ROLLBACK;
