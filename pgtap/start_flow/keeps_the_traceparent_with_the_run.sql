BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT is((SELECT traceparent FROM pgflow.start_flow(flow_slug => 'f', run_id => '11111111-1111-1111-1111-111111111111',
                                                    traceparent => '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')),
  '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'start_flow returns the run with its traceparent');
SELECT is((SELECT traceparent FROM pgflow.runs), '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  'the run keeps it');
SELECT is(pgflow.run_traceparent(run_id => '11111111-1111-1111-1111-111111111111'),
  '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'run_traceparent hands it to workers');
SELECT is((SELECT traceparent FROM pgflow.start_flow(flow_slug => 'f')), NULL, 'without one the run has none (NULL)');
SELECT * FROM finish();
ROLLBACK;
