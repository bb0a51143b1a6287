BEGIN;
CREATE ROLE pgflow_test_sec_admin NOLOGIN IN ROLE pgflow_admin;
SELECT plan(11);
SET ROLE pgflow_test_sec_admin;
SELECT lives_ok($$SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [{"slug": "a"}]}')$$,
  'an admin can define_flow');
SELECT lives_ok($$SELECT pgflow.create_flow(flow_slug => 'g')$$, 'and create_flow');
SELECT lives_ok($$SELECT pgflow.add_step(flow_slug => 'g', step_slug => 'a')$$, 'and add_step');
SELECT is((SELECT status FROM pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001')),
  'started', 'and start_flow');
SELECT is((SELECT status FROM pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001', reason => 'test')),
  'cancelled', 'and cancel_run');
SELECT is((SELECT status FROM pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001')),
  'started', 'and retry_run');
SELECT results_eq($$SELECT flow_slug, version FROM pgflow.flows ORDER BY flow_slug$$, $$VALUES ('f', 1), ('g', 1)$$,
  'and read the definitions');
SELECT results_eq($$SELECT r.status, t.status FROM pgflow.runs AS r JOIN pgflow.step_tasks AS t USING (run_id)$$,
  $$VALUES ('started', 'queued')$$, 'and read the run state');
SELECT is(pgflow.prune(older_than => interval '0'), 0::bigint, 'and prune (nothing finished yet)');
RESET ROLE;
-- Finish the run (as a worker would), age it, and prune as the admin.
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1');
UPDATE pgflow.runs SET finished_at = now() - interval '2 days';
SET ROLE pgflow_test_sec_admin;
SELECT is(pgflow.prune(older_than => interval '1 day'), 3::bigint, 'an admin prunes finished runs');
SELECT is_empty($$SELECT * FROM pgflow.runs$$, 'the run is gone');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
