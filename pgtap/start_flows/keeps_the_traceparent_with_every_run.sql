BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.create_flow(flow_slug => 'empty');
SELECT is(ARRAY(SELECT r.traceparent FROM pgflow.start_flows(flow_slug => 'f', inputs => '[1, 2, 3]',
                  traceparent => '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01') AS r),
  array_fill('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'::text, ARRAY[3]),
  'every run of the batch keeps the traceparent');
SELECT is(ARRAY(SELECT r.traceparent FROM pgflow.start_flows(flow_slug => 'empty', inputs => '[1]',
                  traceparent => '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01') AS r),
  ARRAY['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'::text], 'also for a flow without steps');
SELECT throws_like($$SELECT pgflow.start_flows(flow_slug => 'f', inputs => '[1]', traceparent => 'x')$$,
  'traceparent must be a W3C traceparent%', 'a malformed one is refused for the whole batch');
SELECT * FROM finish();
ROLLBACK;
