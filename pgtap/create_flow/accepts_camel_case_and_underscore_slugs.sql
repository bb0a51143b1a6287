BEGIN;
SELECT plan(5);

SELECT lives_ok($$SELECT pgflow.create_flow(flow_slug => 'stepA')$$, 'camelCase slug stepA is accepted');
SELECT lives_ok($$SELECT pgflow.create_flow(flow_slug => 'fan_out_step_19')$$,
  'snake_case slug with digits fan_out_step_19 is accepted');
SELECT lives_ok($$SELECT pgflow.create_flow(flow_slug => '_private')$$, 'a slug may start with an underscore');
SELECT lives_ok($$SELECT pgflow.create_flow(flow_slug => 'Z')$$, 'a one-letter slug is accepted');
SELECT results_eq(
  $$SELECT flow_slug, version FROM pgflow.flows ORDER BY flow_slug COLLATE "C"$$,
  $$VALUES ('Z', 1), ('_private', 1), ('fan_out_step_19', 1), ('stepA', 1)$$,
  'each accepted slug is stored verbatim (case preserved) as version 1');

SELECT * FROM finish();
ROLLBACK;
