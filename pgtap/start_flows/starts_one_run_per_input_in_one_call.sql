BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT results_eq($$SELECT input FROM pgflow.start_flows(flow_slug => 'f', inputs => '[{"n": 1}, {"n": 2}, {"n": 3}]')$$,
  $$VALUES ('{"n": 1}'::jsonb), ('{"n": 2}'), ('{"n": 3}')$$, 'one run per input, returned in order');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status = 'queued'), 3, 'each with its root task');
SELECT throws_ok($$SELECT * FROM pgflow.start_flows(flow_slug => 'f', inputs => '{"n": 4}')$$, '22023',
  'inputs of flow "f" must be a JSON array of flow inputs, got object', 'inputs must be an array');
SELECT throws_ok($$SELECT * FROM pgflow.start_flows(flow_slug => 'nope', inputs => '[{}]')$$, 'P0002',
  'flow "nope" does not exist', 'an unknown flow starts nothing');
SELECT * FROM finish();
ROLLBACK;
