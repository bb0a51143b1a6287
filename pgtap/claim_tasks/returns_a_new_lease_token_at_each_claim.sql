-- Every claim gives the task a new lease_token, returned as claim_tasks' last
-- column and kept on the task: a report carrying it counts only for that claim.
BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 3, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
CREATE TEMP TABLE claims AS SELECT 1 AS claim, c.attempt, c.lease_token FROM pgflow.claim_tasks(worker_id => 'w1') AS c;
SELECT is((SELECT lease_token FROM claims), (SELECT lease_token FROM pgflow.step_tasks),
  'the token returned is the one the task holds');
SELECT isnt((SELECT lease_token FROM claims), NULL, 'a claim has a token');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second';
INSERT INTO claims SELECT 2, c.attempt, c.lease_token FROM pgflow.claim_tasks(worker_id => 'w2') AS c;
SELECT is((SELECT count(DISTINCT lease_token)::int FROM claims WHERE lease_token IS NOT NULL), 2,
  'the reclaim after the lease expired has a token of its own');
SELECT is((SELECT proargnames[array_length(proargnames, 1)] FROM pg_proc WHERE oid = 'pgflow.claim_tasks'::regproc),
  'lease_token', 'lease_token is claim_tasks'' last column');
SELECT * FROM finish();
ROLLBACK;
