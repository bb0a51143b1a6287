BEGIN;
SELECT plan(4);

SELECT pgflow.define_flow(definition => '{"slug": "frozen", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'frozen');

SELECT lives_ok($$UPDATE pgflow.steps SET max_attempts = 5 WHERE flow_slug = 'frozen'$$,
  'UPDATE of max_attempts on a frozen version is allowed');
SELECT lives_ok($$UPDATE pgflow.steps SET base_delay = 0, timeout = 9, delay_seconds = 3
                   WHERE flow_slug = 'frozen' AND step_slug = 'b'$$,
  'UPDATE of base_delay, timeout, delay_seconds on a frozen version is allowed');
SELECT lives_ok($$UPDATE pgflow.flows SET max_attempts = 8, timeout = 99 WHERE flow_slug = 'frozen'$$,
  'UPDATE of the flow''s tunables on a frozen version is allowed');
SELECT results_eq(
  $$SELECT s.step_slug, s.max_attempts, s.base_delay, s.timeout, s.delay_seconds, f.max_attempts, f.timeout
      FROM pgflow.steps AS s JOIN pgflow.flows AS f ON f.flow_slug = s.flow_slug AND f.version = s.flow_version
     WHERE s.flow_slug = 'frozen' ORDER BY s.step_index$$,
  $$VALUES ('a', 5, NULL::int, NULL::int, 0, 8, 99), ('b', 5, 0, 9, 3, 8, 99)$$,
  'the new tunables are stored');

SELECT * FROM finish();
ROLLBACK;
