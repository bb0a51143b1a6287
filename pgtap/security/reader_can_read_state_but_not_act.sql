BEGIN;
CREATE ROLE pgflow_test_sec_reader NOLOGIN IN ROLE pgflow_reader;
CREATE TEMP TABLE tables AS
SELECT c.relname AS table_name FROM pg_class AS c WHERE c.relnamespace = 'pgflow'::regnamespace AND c.relkind = 'r';
GRANT SELECT ON tables TO PUBLIC;
SELECT plan((SELECT count(*)::int + 11 FROM tables));
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"x": 1}', run_id => '00000000-0000-0000-0000-000000000001');

SET ROLE pgflow_test_sec_reader;
SELECT lives_ok(format('SELECT * FROM pgflow.%I', table_name), format('a reader can SELECT from pgflow.%s', table_name))
  FROM tables ORDER BY table_name;
SELECT results_eq(
  $$SELECT r.status, r.input, ss.step_slug, ss.status, t.status
      FROM pgflow.runs AS r JOIN pgflow.step_states AS ss USING (run_id) JOIN pgflow.step_tasks AS t USING (run_id, step_slug)$$,
  $$VALUES ('started', '{"x": 1}'::jsonb, 'a', 'started', 'queued')$$,
  '"what happened to run X" is one SELECT for a reader');
SELECT is((pgflow.flow_definition(flow_slug => 'f') ->> 'slug'), 'f', 'a reader can read a flow definition');
SELECT throws_ok($$SELECT * FROM pgflow.claim_tasks(worker_id => 'r')$$, '42501', NULL, 'a reader cannot claim tasks');
SELECT throws_ok($$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a')$$,
  '42501', NULL, 'nor complete them');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "g", "steps": [{"slug": "a"}]}')$$, '42501', NULL,
  'nor define flows');
SELECT throws_ok($$SELECT pgflow.start_flow(flow_slug => 'f')$$, '42501', NULL, 'nor start runs');
SELECT throws_ok($$SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001')$$, '42501', NULL,
  'nor cancel them');
SELECT throws_ok($$INSERT INTO pgflow.flows (flow_slug) VALUES ('g')$$, '42501', NULL, 'nor INSERT');
SELECT throws_ok($$UPDATE pgflow.runs SET status = 'completed'$$, '42501', NULL, 'nor UPDATE');
SELECT throws_ok($$DELETE FROM pgflow.step_tasks$$, '42501', NULL, 'nor DELETE');
RESET ROLE;
SELECT results_eq($$SELECT status FROM pgflow.step_tasks$$, $$VALUES ('queued')$$, 'the task is still queued, unclaimed');
SELECT * FROM finish();
ROLLBACK;
