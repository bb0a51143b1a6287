BEGIN;
SELECT plan(5);

SELECT pgflow.define_flow(definition => '{"slug": "tune", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'tune', run_id => '00000000-0000-0000-0000-000000000001');

SELECT is(
  (SELECT (f.version, f.max_attempts, f.base_delay, f.timeout)::text
     FROM pgflow.define_flow(definition => '{"slug": "tune", "max_attempts": 6, "base_delay": 4, "timeout": 45,
       "steps": [{"slug": "a", "timeout": 7, "delay_seconds": 2},
                 {"slug": "b", "deps": ["a"], "max_attempts": 1, "base_delay": 0}]}') AS f),
  '(1,6,4,45)',
  'define_flow returns version 1 with the new flow tunables');
SELECT results_eq(
  $$SELECT version, max_attempts, base_delay, timeout FROM pgflow.flows WHERE flow_slug = 'tune'$$,
  $$VALUES (1, 6, 4, 45)$$,
  'pgflow.flows holds one version, with the new tunables');
SELECT results_eq(
  $$SELECT step_slug, max_attempts, base_delay, timeout, delay_seconds
      FROM pgflow.steps WHERE flow_slug = 'tune' ORDER BY step_index$$,
  $$VALUES ('a', NULL::int, NULL::int, 7, 2), ('b', 1, 0, NULL::int, 0)$$,
  'pgflow.steps holds the new step tunables');

-- They apply from the next claim: the running run's task gets the new lease.
SELECT is(
  (SELECT lease_expires_at - now() FROM pgflow.claim_tasks(worker_id => 'w')),
  interval '7 seconds',
  'the next claim uses the updated timeout');

-- Removing a tunable puts it back to inheriting.
SELECT pgflow.define_flow(definition => '{"slug": "tune", "max_attempts": 6, "base_delay": 4, "timeout": 45,
  "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT results_eq(
  $$SELECT step_slug, max_attempts, base_delay, timeout, delay_seconds
      FROM pgflow.steps WHERE flow_slug = 'tune' ORDER BY step_index$$,
  $$VALUES ('a', NULL::int, NULL::int, NULL::int, 0), ('b', NULL::int, NULL::int, NULL::int, 0)$$,
  'tunables left out of the document are reset to inherit');

SELECT * FROM finish();
ROLLBACK;
