-- Grants held by one role change nothing for a worker role holding none, and a
-- grant to a group role covers its members (pg_has_role MEMBER on session_user).
BEGIN;
CREATE ROLE pgflow_test_grant_none LOGIN IN ROLE pgflow_worker;
CREATE ROLE pgflow_test_grant_group NOLOGIN;
CREATE ROLE pgflow_test_grant_member LOGIN IN ROLE pgflow_worker, pgflow_test_grant_group;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "fa", "steps": [{"slug": "a"}]}');
SELECT pgflow.define_flow('{"slug": "fb", "steps": [{"slug": "b"}]}');
SELECT pgflow.start_flows(flow_slug => 'fa', inputs => '[{}, {}]');
SELECT pgflow.start_flows(flow_slug => 'fb', inputs => '[{}, {}]');
SELECT pgflow.grant_flow(flow_slug => 'fb', role_name => 'pgflow_test_grant_group');

SET SESSION AUTHORIZATION pgflow_test_grant_member;
SELECT results_eq($$SELECT flow_slug, count(*)::int FROM pgflow.claim_tasks(worker_id => 'member', max_tasks => 1) GROUP BY 1$$,
  $$VALUES ('fb', 1)$$, 'a member of a granted group role claims the group''s flow');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION pgflow_test_grant_none;
SELECT results_eq($$SELECT flow_slug, count(*)::int FROM pgflow.claim_tasks(worker_id => 'none', max_tasks => 10) GROUP BY 1 ORDER BY 1$$,
  $$VALUES ('fa', 2), ('fb', 1)$$, 'a role holding no grant claims from every flow');
RESET SESSION AUTHORIZATION;
SELECT is((SELECT count(*)::int FROM pgflow.flow_grants), 1, 'the group''s grant is the only one');
SELECT * FROM finish();
ROLLBACK;
