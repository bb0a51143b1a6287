BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "limited", "max_concurrency": 1, "steps": [{"slug": "a"}]}');
SELECT pgflow.define_flow('{"slug": "free", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'limited') FROM generate_series(1, 2);
SELECT pgflow.start_flow(flow_slug => 'free') FROM generate_series(1, 2);
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', flow_slugs => ARRAY['free'])), 2,
  'a claim of the free flow gets its tasks');
SELECT is((SELECT count(*)::int FROM pgflow.limit_counters), 0, 'and touches no limit counter');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1')), 1, 'the limited flow: one at a time');
SELECT * FROM finish();
ROLLBACK;
