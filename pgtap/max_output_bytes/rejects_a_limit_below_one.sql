BEGIN;
SELECT plan(7);
SELECT pgflow.create_flow(flow_slug => 'existing');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => 'f', max_output_bytes => 0)$$, '22023', NULL,
  'create_flow: max_output_bytes 0 is rejected with 22023');
SELECT throws_like($$SELECT pgflow.create_flow(flow_slug => 'f', max_output_bytes => -1)$$, '%max_output_bytes%',
  'the message names max_output_bytes');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'existing', step_slug => 'a', max_output_bytes => 0)$$, '22023', NULL,
  'add_step: max_output_bytes 0 is rejected');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "f", "max_output_bytes": 0, "steps": [{"slug": "a"}]}')$$,
  '22023', NULL, 'define_flow: a flow limit of 0 is rejected');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "max_output_bytes": -10}]}')$$,
  '22023', NULL, 'define_flow: a negative step limit is rejected');
SELECT is((SELECT array_agg(flow_slug) FROM pgflow.flows), ARRAY['existing'], 'no flow was written');
SELECT is((SELECT count(*)::int FROM pgflow.steps), 0, 'no step was written');
SELECT * FROM finish();
ROLLBACK;
