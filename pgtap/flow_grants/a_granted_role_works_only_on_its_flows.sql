-- Per-flow grants, with real login roles: the role checked is session_user (the
-- API functions are SECURITY DEFINER, so current_user inside them is the owner).
-- A role holding grants claims, reports, extends leases and reads inputs only for
-- its flows; other flows' tasks are never handed to it and calls naming their
-- runs raise 42501 naming the flow and the role.
BEGIN;
-- CREATE ROLE is transactional: the ROLLBACK at the end removes them.
CREATE ROLE pgflow_test_grant_a LOGIN IN ROLE pgflow_worker;
SELECT plan(14);
SELECT pgflow.define_flow('{"slug": "fa", "steps": [{"slug": "a"}]}');
SELECT pgflow.define_flow('{"slug": "fb", "steps": [{"slug": "b"}, {"slug": "b2"}]}');
SELECT pgflow.start_flow(flow_slug => 'fa', input => '{"secret": "A"}', run_id => '00000000-0000-0000-0000-00000000000a');
SELECT pgflow.start_flow(flow_slug => 'fb', input => '{"secret": "B"}', run_id => '00000000-0000-0000-0000-00000000000b');
SELECT is((pgflow.grant_flow(flow_slug => 'fa', role_name => 'pgflow_test_grant_a')).role_name,
  'pgflow_test_grant_a', 'an admin grants flow fa to the role');

SET SESSION AUTHORIZATION pgflow_test_grant_a;
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'wa', flow_slugs => '{fb}')),
  0, 'asking for flow fb by name hands out nothing');
SELECT results_eq($$SELECT flow_slug, step_slug FROM pgflow.claim_tasks(worker_id => 'wa', max_tasks => 10)$$,
  $$VALUES ('fa', 'a')$$, 'an unfiltered claim hands out flow fa''s task only');
SELECT is(pgflow.run_input(run_id => '00000000-0000-0000-0000-00000000000a'), '{"secret": "A"}'::jsonb,
  'it reads the input of a run of its flow');
SELECT throws_ok($$SELECT pgflow.run_input(run_id => '00000000-0000-0000-0000-00000000000b')$$, '42501',
  'role "pgflow_test_grant_a" may not work on flow "fb" (run 00000000-0000-0000-0000-00000000000b)',
  'run_input of another flow''s run raises 42501 naming the role and the flow');
SELECT throws_ok($$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-00000000000b', step_slug => 'b', output => '1')$$,
  '42501', NULL, 'complete_task on another flow raises 42501');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '[{"run_id": "00000000-0000-0000-0000-00000000000a", "step_slug": "a", "output": 1},
                                                             {"run_id": "00000000-0000-0000-0000-00000000000b", "step_slug": "b", "output": 1}]')$$,
  '42501', NULL, 'complete_tasks with one report on another flow raises 42501');
SELECT throws_ok($$SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-00000000000b', step_slug => 'b', error_message => 'x')$$,
  '42501', NULL, 'fail_task on another flow raises 42501');
SELECT throws_ok($$SELECT pgflow.extend_lease(run_id => '00000000-0000-0000-0000-00000000000b', step_slug => 'b')$$,
  '42501', NULL, 'extend_lease on another flow raises 42501');
SELECT is((SELECT status FROM pgflow.complete_task(run_id => '00000000-0000-0000-0000-00000000000a', step_slug => 'a', output => '1')),
  'completed', 'it completes its own flow''s task');
SELECT throws_ok($$SELECT pgflow.grant_flow(flow_slug => 'fb', role_name => 'pgflow_test_grant_a')$$,
  '42501', NULL, 'a worker cannot grant itself a flow');
RESET SESSION AUTHORIZATION;

SELECT results_eq($$SELECT status FROM pgflow.step_tasks WHERE flow_slug = 'fb' ORDER BY step_slug$$,
  $$VALUES ('queued'), ('queued')$$, 'flow fb''s tasks were never touched');
SELECT ok(pgflow.revoke_flow(flow_slug => 'fa', role_name => 'pgflow_test_grant_a'), 'revoke_flow removes the grant');
SET SESSION AUTHORIZATION pgflow_test_grant_a;
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'wa', max_tasks => 10)),
  2, 'without grants the role works on every flow again');
RESET SESSION AUTHORIZATION;
SELECT * FROM finish();
ROLLBACK;
