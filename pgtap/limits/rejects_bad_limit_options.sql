BEGIN;
SELECT plan(8);
SELECT throws_like($$SELECT pgflow.create_flow(flow_slug => 'f', rate_limit => 5)$$,
  'rate_limit of flow "f" needs rate_period%', 'rate_limit without rate_period');
SELECT throws_like($$SELECT pgflow.create_flow(flow_slug => 'f', rate_period => 5)$$,
  'rate_limit of flow "f" needs rate_period, and rate_period needs rate_limit%', 'rate_period without rate_limit');
SELECT throws_like($$SELECT pgflow.create_flow(flow_slug => 'f', rate_limit => 0, rate_period => 1)$$,
  'rate_limit of flow "f" must be at least 1, got 0', 'rate_limit below 1');
SELECT throws_like($$SELECT pgflow.create_flow(flow_slug => 'f', rate_limit => 1, rate_period => 0)$$,
  'rate_period of flow "f" must be at least 1 second, got 0', 'rate_period below 1');
SELECT throws_like($$SELECT pgflow.create_flow(flow_slug => 'f', limit_key => 'customer..id')$$,
  'limit_key of flow "f" must be a dotted path into the run input such as customer.id, got "customer..id"',
  'an empty path segment');
SELECT pgflow.create_flow(flow_slug => 'f');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'f', step_slug => 'a', limit_key => '.id')$$,
  'limit_key of step "a" of flow "f" must be a dotted path%', 'add_step checks the path too');
SELECT throws_like($$SELECT pgflow.define_flow('{"slug": "g", "steps": [{"slug": "a", "rate_limit": 3}]}')$$,
  'rate_limit of step "a" of flow "g" needs rate_period%', 'define_flow checks steps');
SELECT throws_like($$SELECT pgflow.define_flow('{"slug": "g", "limit_key": 7, "steps": []}')$$,
  '%limit_key%', 'define_flow wants limit_key as a string');
SELECT * FROM finish();
ROLLBACK;
