BEGIN;
SELECT plan(4);

SELECT pgflow.create_flow(flow_slug => 'deps');
SELECT pgflow.add_step(flow_slug => 'deps', step_slug => 'fetch');

SELECT throws_ok(
  $$SELECT pgflow.add_step(flow_slug => 'deps', step_slug => 'parse', deps => ARRAY['fetch', 'fecth'])$$,
  '42704', NULL, 'a dependency on a step that does not exist raises 42704');
SELECT throws_like(
  $$SELECT pgflow.add_step(flow_slug => 'deps', step_slug => 'parse', deps => ARRAY['fetch', 'fecth'])$$,
  '%parse%fecth%', 'the message names the step and the missing dependency');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.steps WHERE flow_slug = 'deps'$$,
  $$VALUES ('fetch')$$,
  'the rejected step was not written');
SELECT is((SELECT count(*)::int FROM pgflow.deps), 0, 'no dependency row was written');

SELECT * FROM finish();
ROLLBACK;
