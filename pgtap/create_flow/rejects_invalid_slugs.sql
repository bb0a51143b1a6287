BEGIN;
SELECT plan(14);

SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => '')$$, '22023', NULL,
  'an empty slug is rejected with 22023');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => '1flow')$$, '22023', NULL,
  'a slug starting with a digit is rejected with 22023');
SELECT throws_like($$SELECT pgflow.create_flow(flow_slug => '1flow')$$, '%1flow%',
  'the message names the rejected slug');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => repeat('a', 64))$$, '22023', NULL,
  'a 64-character slug is rejected');
SELECT lives_ok($$SELECT pgflow.create_flow(flow_slug => repeat('b', 63))$$,
  'a 63-character slug is accepted');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => 'my-flow')$$, '22023', NULL,
  'a slug containing "-" is rejected');
SELECT throws_like($$SELECT pgflow.create_flow(flow_slug => 'my-flow')$$, '%my-flow%',
  'the message names the slug with "-"');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => 'my flow')$$, '22023', NULL,
  'a slug containing a space is rejected');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => 'x''; DROP TABLE pgflow.runs; --')$$, '22023', NULL,
  'an SQL-looking slug is rejected');
SELECT has_table('pgflow', 'runs', 'pgflow.runs still exists after the SQL-looking slug');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => NULL)$$, '22023', NULL,
  'a NULL slug is rejected');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => 'flöw')$$, '22023', NULL,
  'a slug with a non-ASCII letter is rejected');

SELECT is((SELECT count(*)::int FROM pgflow.flows WHERE flow_slug <> repeat('b', 63)), 0,
  'no rejected slug was written to pgflow.flows');
SELECT is((SELECT count(*)::int FROM pgflow.flows), 1, 'only the valid 63-character flow exists');

SELECT * FROM finish();
ROLLBACK;
