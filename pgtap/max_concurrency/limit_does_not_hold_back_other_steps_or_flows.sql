BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "limited", "steps": [{"slug": "a", "max_concurrency": 1}, {"slug": "b"}]}');
SELECT pgflow.define_flow('{"slug": "free", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'limited') FROM generate_series(1, 3);
SELECT pgflow.start_flow(flow_slug => 'free') FROM generate_series(1, 3);
-- The limited step's tasks are the oldest, so they come first in claim order.
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 minute' WHERE flow_slug = 'limited' AND step_slug = 'a';
CREATE TEMP TABLE claimed AS SELECT * FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT results_eq($$SELECT flow_slug, step_slug, count(*)::int FROM claimed GROUP BY 1, 2 ORDER BY 1, 2$$,
  $$VALUES ('free', 'a', 3), ('limited', 'a', 1), ('limited', 'b', 3)$$,
  'one task of the limited step; every task of the unlimited step and of the other flow');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status = 'queued'), 2, 'two tasks of the limited step wait');
SELECT results_eq($$SELECT flow_slug, step_slug FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10, flow_slugs => ARRAY['limited'])$$,
  $$SELECT NULL::text, NULL::text WHERE false$$, 'and they stay waiting on the next claim');
SELECT * FROM finish();
ROLLBACK;
