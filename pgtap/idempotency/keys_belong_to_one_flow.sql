BEGIN;
SELECT plan(1);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.define_flow('{"slug": "g", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', idempotency_key => 'k');
SELECT pgflow.start_flow(flow_slug => 'g', idempotency_key => 'k');
SELECT results_eq($$SELECT flow_slug, count(*)::int FROM pgflow.runs GROUP BY 1 ORDER BY 1$$,
  $$VALUES ('f', 1), ('g', 1)$$, 'the same key in two flows starts a run of each');
SELECT * FROM finish();
ROLLBACK;
