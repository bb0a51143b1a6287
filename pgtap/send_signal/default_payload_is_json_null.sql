-- Without a payload, the step's output is JSON null (not SQL NULL).
BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "ping", "signal": true}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT is((SELECT output FROM pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'ping')), 'null'::jsonb, 'the output is JSON null');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"ping": null}'::jsonb)$$,
  'and the run, whose only step it was, completes');
SELECT * FROM finish();
ROLLBACK;
