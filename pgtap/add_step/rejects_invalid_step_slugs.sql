BEGIN;
SELECT plan(7);

SELECT pgflow.create_flow(flow_slug => 'slugs');

SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'slugs', step_slug => '')$$, '22023', NULL,
  'an empty step slug is rejected');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'slugs', step_slug => '9lives')$$, '22023', NULL,
  'a step slug starting with a digit is rejected');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'slugs', step_slug => 'fetch-data')$$, '22023', NULL,
  'a step slug with "-" is rejected');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'slugs', step_slug => repeat('s', 64))$$, '22023', NULL,
  'a 64-character step slug is rejected');
SELECT is((SELECT count(*)::int FROM pgflow.steps), 0, 'no invalid step was written');
SELECT lives_ok($$SELECT pgflow.add_step(flow_slug => 'slugs', step_slug => 'stepA')$$, 'stepA is accepted');
SELECT lives_ok($$SELECT pgflow.add_step(flow_slug => 'slugs', step_slug => 'fan_out_step_19', deps => ARRAY['stepA'], fan_out => true)$$,
  'fan_out_step_19 is accepted');

SELECT * FROM finish();
ROLLBACK;
