BEGIN;
SELECT plan(3);
SELECT pgflow.create_flow(flow_slug => 'f', max_output_bytes => 50);
SELECT pgflow.add_step(flow_slug => 'f', step_slug => 'a', max_output_bytes => 500);
SELECT pgflow.add_step(flow_slug => 'f', step_slug => 'b');
SELECT is((SELECT max_output_bytes FROM pgflow.flows), 50, 'create_flow stores the flow limit');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => step_slug,
                            output => to_jsonb(repeat('x', 100)))
  FROM unnest(ARRAY['a', 'b']) AS step_slug;
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'a'), 'completed',
  'add_step''s limit of 500 lets a 100-byte output through');
SELECT is((SELECT status FROM pgflow.step_tasks WHERE step_slug = 'b'), 'queued',
  'the step without one is held to the flow''s 50 bytes: its attempt failed');
SELECT * FROM finish();
ROLLBACK;
