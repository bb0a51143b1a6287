BEGIN;
SELECT plan(4);
SELECT pgflow.create_flow(flow_slug => 'f', rate_limit => 10, rate_period => 60, limit_key => 'tenant');
SELECT pgflow.add_step(flow_slug => 'f', step_slug => 'a', max_concurrency => 3, limit_key => 'user.id');
SELECT results_eq($$SELECT step_slug, max_concurrency, rate_limit, rate_period, limit_key FROM pgflow.flow_limits ORDER BY 1$$,
  $$VALUES ('', NULL::int, 10, 60, ARRAY['tenant']), ('a', 3, NULL, NULL, ARRAY['user', 'id'])$$,
  'create_flow and add_step write the limits in force');
SELECT pgflow.start_flow(flow_slug => 'f');
-- A new version (new shape) without the step limit: the step's latest definition has none.
SELECT pgflow.define_flow('{"slug": "f", "max_concurrency": 4, "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT results_eq($$SELECT step_slug, max_concurrency, rate_limit, limit_key FROM pgflow.flow_limits ORDER BY 1$$,
  $$VALUES ('', 4, NULL::int, NULL::text[])$$, 'define_flow replaces them with the latest version''s');
SELECT is(pgflow.flow_definition('f') -> 'max_concurrency', '4'::jsonb, 'flow_definition shows them');
SELECT pgflow.define_flow('{"slug": "f", "rate_limit": 1, "rate_period": 1, "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT results_eq($$SELECT step_slug, max_concurrency, rate_limit FROM pgflow.flow_limits$$,
  $$VALUES ('', NULL::int, 1)$$, 'a tunables-only change applies too');
SELECT * FROM finish();
ROLLBACK;
