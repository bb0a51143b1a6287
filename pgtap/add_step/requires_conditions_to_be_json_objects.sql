BEGIN;
SELECT plan(7);

SELECT pgflow.create_flow(flow_slug => 'conds');

SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'conds', step_slug => 's', run_if => '[{"run": 1}]')$$,
  '22023', NULL, 'run_if as an array is rejected');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'conds', step_slug => 's', run_if => '"yes"')$$,
  '%run_if%object%', 'the message says run_if must be an object');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'conds', step_slug => 's', run_if => 'true')$$,
  '22023', NULL, 'run_if as a boolean is rejected');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'conds', step_slug => 's', run_unless => '42')$$,
  '22023', NULL, 'run_unless as a number is rejected');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'conds', step_slug => 's', run_unless => '42')$$,
  '%run_unless%object%', 'the message says run_unless must be an object');
SELECT is((SELECT count(*)::int FROM pgflow.steps), 0, 'no step was written');
SELECT lives_ok(
  $$SELECT pgflow.add_step(flow_slug => 'conds', step_slug => 's', run_if => '{"run": {"vip": true}}',
                           run_unless => '{"run": {"banned": true}}')$$,
  'object conditions are accepted');

SELECT * FROM finish();
ROLLBACK;
