BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.define_flow('{"slug": "g", "steps": [{"slug": "a"}]}');
SELECT pgflow.define_flow('{"slug": "h", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f');
SELECT pgflow.start_flow(flow_slug => 'g');
SELECT pgflow.start_flow(flow_slug => 'h');
SELECT results_eq(
  $$SELECT flow_slug FROM pgflow.claim_tasks(worker_id => 'w1', flow_slugs => ARRAY['g'])$$,
  $$VALUES ('g')$$,
  'flow_slugs => {g} claims only tasks of g');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1', flow_slugs => ARRAY['g', 'nope'])$$,
  'nothing left for g');
SELECT results_eq(
  $$SELECT flow_slug FROM pgflow.claim_tasks(worker_id => 'w1', flow_slugs => ARRAY['f', 'h']) ORDER BY 1$$,
  $$VALUES ('f'), ('h')$$,
  'several slugs claim from each of them');
SELECT results_eq(
  $$SELECT flow_slug, status FROM pgflow.step_tasks ORDER BY 1$$,
  $$VALUES ('f', 'started'), ('g', 'started'), ('h', 'started')$$,
  'every task was claimed once');
SELECT * FROM finish();
ROLLBACK;
