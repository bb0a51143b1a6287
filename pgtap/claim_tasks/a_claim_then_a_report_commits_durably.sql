-- A lone claim commits asynchronously; but when the same transaction then
-- reports (or stops, retries, completes a step or a run), the commit is durable
-- again, with the value synchronous_commit had before the claim.
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT plan(4);
SET synchronous_commit = remote_write;
BEGIN;
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT is(current_setting('synchronous_commit'), 'off', 'the claim alone would commit asynchronously');
SELECT is((SELECT status FROM pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
  output => '1', attempt => 1)), 'completed', 'then the same transaction reports');
SELECT is(current_setting('synchronous_commit'), 'remote_write', 'and commits as durably as before the claim');
COMMIT;
BEGIN;
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT is(current_setting('synchronous_commit'), 'remote_write', 'so does a claim followed by a cancel');
COMMIT;
SELECT * FROM finish();
