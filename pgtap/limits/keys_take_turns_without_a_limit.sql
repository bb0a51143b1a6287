BEGIN;
SELECT plan(1);
-- DESIGN: keys take turns whenever limit_key is set, with no max_concurrency or rate_limit too.
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "limit_key": "customer"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"customer": "big"}') FROM generate_series(1, 50);
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 hour';
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"customer": "small"}');
SELECT results_eq(
  $$SELECT r.input ->> 'customer' FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 2) AS c
      JOIN pgflow.runs AS r USING (run_id) ORDER BY 1$$,
  $$VALUES ('big'), ('small')$$,
  'a claim of two hands out each key''s oldest task, not the backlog''s two oldest');
SELECT * FROM finish();
ROLLBACK;
