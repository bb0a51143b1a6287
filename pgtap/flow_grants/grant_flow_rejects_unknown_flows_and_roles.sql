BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "fa", "steps": [{"slug": "a"}]}');
SELECT throws_ok($$SELECT pgflow.grant_flow(flow_slug => 'nope', role_name => 'pgflow_worker')$$, 'P0002',
  'flow "nope" does not exist', 'an unknown flow is refused');
SELECT throws_ok($$SELECT pgflow.grant_flow(flow_slug => 'fa', role_name => 'no_such_role_here')$$, '42704',
  'role "no_such_role_here" does not exist, so flow "fa" cannot be granted to it', 'an unknown role is refused');
SELECT throws_ok($$SELECT pgflow.grant_flow(flow_slug => 'fa', role_name => NULL)$$, '42704', NULL, 'a null role is refused');
SELECT pgflow.grant_flow(flow_slug => 'fa', role_name => 'pgflow_worker');
SELECT is((SELECT count(*)::int FROM (SELECT pgflow.grant_flow(flow_slug => 'fa', role_name => 'pgflow_worker')) AS g
            CROSS JOIN pgflow.flow_grants), 1, 'granting twice keeps one grant');
SELECT is(pgflow.revoke_flow(flow_slug => 'fa', role_name => 'pgflow_admin'), false, 'revoking a grant never given returns false');
SELECT * FROM finish();
ROLLBACK;
