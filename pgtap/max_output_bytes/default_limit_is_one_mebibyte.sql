BEGIN;
SELECT plan(7);
SELECT pgflow.create_flow(flow_slug => 'sql_made');
SELECT pgflow.add_step(flow_slug => 'sql_made', step_slug => 'a');
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "at_limit"}, {"slug": "over"}]}');
SELECT results_eq($$SELECT flow_slug, max_output_bytes FROM pgflow.flows ORDER BY flow_slug$$,
  $$VALUES ('f', 1048576), ('sql_made', 1048576)$$, 'a flow with no limit given gets 1 MiB, by either path');
SELECT is((SELECT count(*)::int FROM pgflow.steps WHERE max_output_bytes IS NOT NULL), 0,
  'steps with no limit given inherit the flow''s');
-- A JSON string of n ASCII characters is n + 2 bytes of JSON text: find n for exactly 1 MiB.
CREATE TEMP TABLE n AS SELECT 1048576 - (octet_length((to_jsonb(repeat('x', 1000)))::text) - 1000) AS at_limit;
SELECT is(octet_length((to_jsonb(repeat('x', (SELECT at_limit FROM n))))::text), 1048576, 'the at-limit output is 1 MiB');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'at_limit',
                            output => to_jsonb(repeat('x', (SELECT at_limit FROM n))));
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'over',
                            output => to_jsonb(repeat('x', (SELECT at_limit + 1 FROM n))));
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'at_limit'), 'completed',
  'an output of exactly 1 MiB is accepted');
SELECT is((SELECT length(output #>> '{}') FROM pgflow.step_states WHERE step_slug = 'at_limit'),
  (SELECT at_limit FROM n), 'and stored whole');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'over'$$,
  $$VALUES ('started', NULL::jsonb)$$, 'one byte more is refused');
SELECT is((SELECT error_message FROM pgflow.step_tasks WHERE step_slug = 'over'),
  'output too large: 1048577 bytes, max_output_bytes is 1048576', 'with the size and the 1 MiB limit');
SELECT * FROM finish();
ROLLBACK;
