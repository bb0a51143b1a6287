-- A version number never names two shapes, even when the version has no runs:
-- workers route claims by flow/version/step, so a replacement in place would hand
-- a worker serving the old shape a step of the new one (issue 9, item 4).
BEGIN;
SELECT plan(6);

SELECT pgflow.define_flow(definition => '{"slug": "draft", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');

SELECT is(
  (SELECT (f.flow_slug, f.version)::text FROM pgflow.define_flow(definition => '{"slug": "draft", "timeout": 5, "steps": [
     {"slug": "a"}, {"slug": "b", "deps": ["a"], "fan_out": true}]}') AS f),
  '(draft,2)',
  'a new shape on a version without runs becomes version 2');
SELECT results_eq(
  $$SELECT version, timeout FROM pgflow.flows WHERE flow_slug = 'draft' ORDER BY version$$,
  $$VALUES (1, 60), (2, 5)$$,
  'version 1 is kept as it was; version 2 has the new options');
SELECT results_eq(
  $$SELECT flow_version, step_slug, fan_out FROM pgflow.steps WHERE flow_slug = 'draft' ORDER BY flow_version, step_index$$,
  $$VALUES (1, 'a', false), (1, 'b', false), (2, 'a', false), (2, 'b', true)$$,
  'version 1 keeps its shape; version 2 has the new one');
SELECT results_eq(
  $$SELECT (pgflow.start_flow(flow_slug => 'draft', run_id => '00000000-0000-0000-0000-000000000001')).flow_version$$,
  $$VALUES (2)$$,
  'a run starts on version 2');
SELECT pgflow.complete_task(run_id => run_id, step_slug => step_slug, output => '[1, 2]')
  FROM pgflow.claim_tasks(worker_id => 'w', step_keys => '{draft/2/a}');
SELECT is(
  (SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'old', step_keys => '{draft/1/a,draft/1/b}')),
  0, 'a worker serving version 1''s shape (draft/1/b) is handed none of version 2''s steps');
SELECT is(
  (SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'new', step_keys => '{draft/2/b}')),
  2, 'a worker serving version 2''s shape gets the fan-out tasks');

SELECT * FROM finish();
ROLLBACK;
