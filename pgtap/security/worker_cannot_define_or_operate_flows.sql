BEGIN;
CREATE ROLE pgflow_test_sec_worker_no_admin NOLOGIN IN ROLE pgflow_worker;
SELECT plan(10);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000002');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000002');
CREATE TEMP TABLE runs_before AS SELECT * FROM pgflow.runs;
GRANT SELECT ON runs_before TO PUBLIC;

SET ROLE pgflow_test_sec_worker_no_admin;
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "g", "steps": [{"slug": "a"}]}')$$, '42501', NULL,
  'a worker cannot define_flow');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => 'g')$$, '42501', NULL, 'nor create_flow');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'f', step_slug => 'z')$$, '42501', NULL, 'nor add_step');
SELECT throws_ok($$SELECT pgflow.start_flow(flow_slug => 'f')$$, '42501', NULL, 'nor start_flow');
SELECT throws_ok($$SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001')$$, '42501', NULL,
  'nor cancel_run');
SELECT throws_ok($$SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000002')$$, '42501', NULL,
  'nor retry_run');
SELECT throws_ok($$SELECT pgflow.prune(older_than => interval '0')$$, '42501', NULL, 'nor prune');
RESET ROLE;

SELECT results_eq($$SELECT flow_slug, version FROM pgflow.flows$$, $$VALUES ('f', 1)$$, 'no flow was defined or changed');
SELECT is((SELECT count(*)::int FROM pgflow.steps), 1, 'no step was added');
SELECT set_eq($$SELECT * FROM pgflow.runs$$, $$SELECT * FROM runs_before$$, 'no run was started, cancelled, retried or pruned');
SELECT * FROM finish();
ROLLBACK;
