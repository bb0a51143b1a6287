BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "f", "rate_limit": 3, "rate_period": 3600,
  "steps": [{"slug": "a"}, {"slug": "b"}]}');
SELECT pgflow.define_flow('{"slug": "other", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f') FROM generate_series(1, 3);
SELECT pgflow.start_flow(flow_slug => 'other') FROM generate_series(1, 3);
SELECT results_eq(
  $$SELECT flow_slug, count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 20) GROUP BY 1 ORDER BY 1$$,
  $$VALUES ('f', 3), ('other', 3)$$,
  'three starts of flow f across its steps a and b; the other flow is not limited');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE flow_slug = 'f' AND status = 'queued'), 3,
  'the other three tasks of f wait for the window');
SELECT * FROM finish();
ROLLBACK;
