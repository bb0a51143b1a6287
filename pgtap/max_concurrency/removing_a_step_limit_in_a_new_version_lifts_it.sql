BEGIN;
SELECT plan(3);
-- Version 1 limits step a to 1; version 2 (a new shape) leaves a unlimited.
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "max_concurrency": 1}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT is((SELECT version FROM pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b"}]}')), 2,
  'the new shape is version 2');
SELECT pgflow.start_flow(flow_slug => 'f') FROM generate_series(1, 3);
CREATE TEMP TABLE claimed AS SELECT * FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT is((SELECT count(*)::int FROM claimed WHERE step_slug = 'a'), 3,
  'the latest version sets no limit on a: all three of its tasks are claimed');
SELECT is((SELECT count(*)::int FROM claimed WHERE step_slug = 'b'), 3, 'and all three of b');
SELECT * FROM finish();
ROLLBACK;
