BEGIN;
SELECT plan(3);
-- complete_task answers with the row its update stored (it does not read it
-- again): every column equals the table's, for a middle step and for the last.
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
CREATE TEMP TABLE answered AS
SELECT * FROM pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '{"n": 1}');
SELECT pgflow.claim_tasks(worker_id => 'w1');
INSERT INTO answered
SELECT * FROM pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', output => '{"n": 2}');
SELECT set_eq($$SELECT * FROM answered$$, $$SELECT * FROM pgflow.step_tasks$$,
  'each answer is the task row as stored');
SELECT results_eq($$SELECT step_slug, status, output IS NULL, finished_at IS NOT NULL FROM answered ORDER BY step_slug$$,
  $$VALUES ('a', 'completed', true, true), ('b', 'completed', true, true)$$,
  'completed and finished; a single task''s output is kept on its step only');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$,
  $$VALUES ('completed', '{"b": {"n": 2}}'::jsonb)$$, 'the last completion completed the run');
SELECT * FROM finish();
ROLLBACK;
