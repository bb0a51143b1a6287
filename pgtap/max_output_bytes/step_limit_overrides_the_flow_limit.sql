BEGIN;
SELECT plan(4);
-- Flow limit 100; step big allows 1000, step small only 20.
SELECT pgflow.define_flow('{"slug": "f", "max_output_bytes": 100, "steps": [
  {"slug": "big", "max_output_bytes": 1000}, {"slug": "small", "max_output_bytes": 20}, {"slug": "plain"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'big',
                            output => to_jsonb(repeat('x', 500)));
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'small',
                            output => to_jsonb(repeat('x', 50)));
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'plain',
                            output => to_jsonb(repeat('x', 150)));
SELECT results_eq($$SELECT step_slug, status FROM pgflow.step_tasks ORDER BY step_slug$$,
  $$VALUES ('big', 'completed'), ('plain', 'queued'), ('small', 'queued')$$,
  'a 500-byte output is accepted by the step allowing 1000; 50 bytes fails the step allowing 20; 150 fails the flow limit');
SELECT is((SELECT output FROM pgflow.step_states WHERE step_slug = 'big'), to_jsonb(repeat('x', 500)),
  'the accepted output is stored');
SELECT matches((SELECT error_message FROM pgflow.step_tasks WHERE step_slug = 'small'),
  'max_output_bytes is 20$', 'the small step is measured against its own limit');
SELECT matches((SELECT error_message FROM pgflow.step_tasks WHERE step_slug = 'plain'),
  'max_output_bytes is 100$', 'a step without a limit inherits the flow''s');
SELECT * FROM finish();
ROLLBACK;
