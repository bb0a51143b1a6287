BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "limited", "max_concurrency": 1, "steps": [{"slug": "a"}]}');
SELECT pgflow.define_flow('{"slug": "free", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'limited') FROM generate_series(1, 2);
SELECT pgflow.start_flow(flow_slug => 'free') FROM generate_series(1, 2);
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', flow_slugs => ARRAY['free'])), 2,
  'a claim of the free flow gets its tasks');
-- A row lock (FOR UPDATE) would set the counter row's xmax.
SELECT is((SELECT xmax::text FROM pgflow.limit_counters WHERE flow_slug = 'limited'), '0',
  'and neither locks nor writes the limited flow''s counter');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1')), 1, 'the limited flow: one at a time');
SELECT * FROM finish();
ROLLBACK;
