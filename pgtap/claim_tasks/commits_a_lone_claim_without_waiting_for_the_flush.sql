-- A transaction whose only write is a claim commits asynchronously (losing it in a
-- crash only makes the tasks claimable again); one that wrote before keeps its
-- durable commit.
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000002');
SELECT plan(4);
SET synchronous_commit = on;
BEGIN;
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1)), 1, 'a lone claim');
SELECT is(current_setting('synchronous_commit'), 'off', 'commits without waiting for the WAL flush');
COMMIT;
SELECT is(current_setting('synchronous_commit'), 'on', 'for that transaction only');
BEGIN;
SELECT pgflow.complete_task(run_id => run_id, step_slug => 'a', output => '1', attempt => 1)
  FROM pgflow.step_tasks WHERE status = 'started';
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1);
SELECT is(current_setting('synchronous_commit'), 'on', 'a claim after a completion keeps the durable commit');
COMMIT;
SELECT * FROM finish();
