BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "limit_key": "customer.id", "max_concurrency": 2,
  "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => jsonb_build_object('customer', jsonb_build_object('id', c)))
  FROM generate_series(1, 4), unnest(ARRAY['acme', 'globex']) AS c;
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"customer": {}}') FROM generate_series(1, 3);
SELECT results_eq(
  $$SELECT coalesce(r.input #>> '{customer,id}', '(none)'), count(*)::int
      FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 20) AS c JOIN pgflow.runs AS r USING (run_id)
     GROUP BY 1 ORDER BY 1$$,
  $$VALUES ('(none)', 2), ('acme', 2), ('globex', 2)$$,
  'two in flight per customer; runs without the key share one limit');
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => 'a', output => '1')
  FROM pgflow.step_tasks AS t JOIN pgflow.runs AS r USING (run_id)
 WHERE t.status = 'started' AND r.input #>> '{customer,id}' = 'acme';
SELECT results_eq(
  $$SELECT r.input #>> '{customer,id}', count(*)::int
      FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 20) AS c JOIN pgflow.runs AS r USING (run_id)
     GROUP BY 1 ORDER BY 1$$,
  $$VALUES ('acme', 2)$$,
  'completions of one customer free its slots only');
SELECT is((SELECT in_flight FROM pgflow.limit_counters WHERE key_value = 'globex'), 2, 'the counter of each key');
SELECT * FROM finish();
ROLLBACK;
