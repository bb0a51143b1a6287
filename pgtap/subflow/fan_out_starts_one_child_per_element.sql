BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "batch", "steps": [
  {"slug": "customers"}, {"slug": "enriched", "deps": ["customers"], "fan_out": true, "subflow": "enrich"}]}');
SELECT pgflow.start_flow(flow_slug => 'batch', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'customers',
                            output => '[{"id": 1}, {"id": 2}, {"id": 3}]');

SELECT results_eq(
  $$SELECT parent_task_index, input, flow_slug FROM pgflow.runs WHERE parent_run_id IS NOT NULL ORDER BY parent_task_index$$,
  $$VALUES (0, '{"id": 1}'::jsonb, 'enrich'), (1, '{"id": 2}', 'enrich'), (2, '{"id": 3}', 'enrich')$$,
  'one child per element, whose input is the element itself, named by the element''s index');
-- The children complete in reverse order.
SELECT pgflow.complete_task(run_id => c.run_id, step_slug => 'lookup', output => jsonb_build_object('n', c.input -> 'id'))
  FROM (SELECT r.run_id, r.input FROM pgflow.runs AS r, pgflow.claim_tasks(worker_id => 'w1') AS t
         WHERE t.run_id = r.run_id ORDER BY r.parent_task_index DESC) AS c;
SELECT is((SELECT count(*)::int FROM pgflow.runs WHERE status = 'completed'), 4, 'every child completed, and the parent');
SELECT is((SELECT output FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'enriched'),
  '[{"lookup": {"n": 1}}, {"lookup": {"n": 2}}, {"lookup": {"n": 3}}]'::jsonb,
  'the step''s output is the children''s outputs in index order');
SELECT is((SELECT output FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'),
  '{"enriched": [{"lookup": {"n": 1}}, {"lookup": {"n": 2}}, {"lookup": {"n": 3}}]}'::jsonb, 'so is the parent''s');
SELECT * FROM finish();
ROLLBACK;
