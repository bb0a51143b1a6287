BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "max_concurrency": 1, "steps": [{"slug": "a"}, {"slug": "b"}]}');
SELECT pgflow.start_flow(flow_slug => 'f') FROM generate_series(1, 3);
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 1, 'flow limit 1: one claimed');
SELECT pgflow.define_flow('{"slug": "f", "max_concurrency": 4, "steps": [{"slug": "a"}, {"slug": "b"}]}');
SELECT is((SELECT max(version) FROM pgflow.flows), 1, 'same shape: still version 1');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 3,
  'flow limit 4 applies to the next claim: three more');
SELECT * FROM finish();
ROLLBACK;
