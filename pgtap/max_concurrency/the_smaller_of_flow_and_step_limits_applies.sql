BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "max_concurrency": 3, "steps": [
  {"slug": "a", "max_concurrency": 1}, {"slug": "b"}]}');
SELECT pgflow.start_flow(flow_slug => 'f') FROM generate_series(1, 4);
CREATE TEMP TABLE claimed AS SELECT * FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT is((SELECT count(*)::int FROM claimed), 3, 'the flow limit caps the claim at 3');
SELECT is((SELECT count(*)::int FROM claimed WHERE step_slug = 'a'), 1, 'of which at most 1 of step a, its own limit');
SELECT is((SELECT count(*)::int FROM claimed WHERE step_slug = 'b'), 2, 'the rest from step b');
SELECT * FROM finish();
ROLLBACK;
