BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT throws_ok($$SELECT pgflow.start_flow(flow_slug => 'f', traceparent => 'not-a-traceparent')$$, '22023',
  'traceparent must be a W3C traceparent (00-<32 hex trace id>-<16 hex span id>-<2 hex flags>), got "not-a-traceparent"',
  'a text that is no traceparent is refused, the argument named');
SELECT throws_like($$SELECT pgflow.start_flow(flow_slug => 'f',
                     traceparent => '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01')$$,
  'traceparent must be a W3C traceparent%', 'uppercase hex is refused (the header is lowercase)');
SELECT throws_like($$SELECT pgflow.start_flow(flow_slug => 'f',
                     traceparent => '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')$$,
  'traceparent must be a W3C traceparent%', 'another version than 00 is refused');
SELECT throws_ok($$SELECT pgflow.start_flow(flow_slug => 'f',
                     traceparent => '00-00000000000000000000000000000000-00f067aa0ba902b7-01')$$, '22023',
  'traceparent "00-00000000000000000000000000000000-00f067aa0ba902b7-01" has an all-zero trace id or span id, which W3C Trace Context makes invalid',
  'an all-zero trace id is refused');
SELECT throws_like($$SELECT pgflow.start_flow(flow_slug => 'f',
                     traceparent => '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')$$,
  '%all-zero trace id or span id%', 'an all-zero span id is refused');
SELECT is((SELECT count(*) FROM pgflow.runs), 0::bigint, 'no run was started');
SELECT * FROM finish();
ROLLBACK;
