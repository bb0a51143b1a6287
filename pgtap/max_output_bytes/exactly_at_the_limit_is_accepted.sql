BEGIN;
SELECT plan(4);
CREATE TEMP TABLE sizes AS
  SELECT octet_length(('{"k": "vvvvvvvv"}'::jsonb)::text) AS at_limit, octet_length(('{"k": "vvvvvvvvv"}'::jsonb)::text) AS over;
SELECT cmp_ok((SELECT over FROM sizes), '>', (SELECT at_limit FROM sizes), 'one more character is a larger output');
SELECT pgflow.create_flow(flow_slug => 'f', max_output_bytes => (SELECT at_limit FROM sizes));
SELECT pgflow.add_step(flow_slug => 'f', step_slug => 'a');
SELECT pgflow.add_step(flow_slug => 'f', step_slug => 'b');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                            output => '{"k": "vvvvvvvv"}');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b',
                            output => '{"k": "vvvvvvvvv"}');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'a'$$,
  $$VALUES ('completed', '{"k": "vvvvvvvv"}'::jsonb)$$, 'an output of exactly max_output_bytes is accepted and stored');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'b'$$,
  $$VALUES ('started', NULL::jsonb)$$, 'one byte over is not');
SELECT is((SELECT error_message FROM pgflow.step_tasks WHERE step_slug = 'b'),
  (SELECT format('output too large: %s bytes, max_output_bytes is %s', over, at_limit) FROM sizes),
  'its error gives both numbers');
SELECT * FROM finish();
ROLLBACK;
