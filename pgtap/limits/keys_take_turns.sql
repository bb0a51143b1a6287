BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "limit_key": "customer", "rate_limit": 1000,
  "rate_period": 60}]}');
-- A big backlog of one customer, older than the single task of another.
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"customer": "big"}') FROM generate_series(1, 50);
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 hour';
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"customer": "small"}');
SELECT results_eq(
  $$SELECT r.input ->> 'customer' FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 3) AS c
      JOIN pgflow.runs AS r USING (run_id) ORDER BY 1$$,
  $$VALUES ('big'), ('big'), ('small')$$,
  'the first claim hands out the new customer''s oldest task beside the backlog''s');
SELECT results_eq(
  $$SELECT r.input ->> 'customer' FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1) AS c
      JOIN pgflow.runs AS r USING (run_id)$$,
  $$VALUES ('big')$$, 'then the backlog goes on, oldest first');
SELECT * FROM finish();
ROLLBACK;
