-- A claim that decides an outcome (here a last attempt timed out: the task, the
-- step and the run fail, and listeners are told) commits durably, even when it
-- is the only write of its transaction: nobody is told of an outcome a crash
-- could undo. A claim that only reclaims an expired lease with attempts left
-- still commits asynchronously.
SELECT pgflow.define_flow('{"slug": "last", "max_attempts": 1, "steps": [{"slug": "a"}]}');
SELECT pgflow.define_flow('{"slug": "retry", "max_attempts": 3, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'last', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'retry', run_id => '00000000-0000-0000-0000-000000000002');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second';
SELECT plan(4);
SET synchronous_commit = on;
BEGIN;
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w2', flow_slugs => ARRAY['retry'])), 1,
  'a lone claim that reclaims an expired lease with attempts left');
SELECT is(current_setting('synchronous_commit'), 'off', 'commits without waiting for the WAL flush');
COMMIT;
BEGIN;
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w2', flow_slugs => ARRAY['last'])), 0,
  'a lone claim that times out a last attempt (and fails its run)');
SELECT is(current_setting('synchronous_commit'), 'on', 'commits durably');
COMMIT;
SELECT * FROM finish();
