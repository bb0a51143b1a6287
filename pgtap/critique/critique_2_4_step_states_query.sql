-- Critique 2.4: step-level state is one plain SELECT away.
BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "analyze", "steps": [
  {"slug": "sentiment"}, {"slug": "summary"}, {"slug": "combine", "deps": ["sentiment", "summary"]}]}');
SELECT pgflow.start_flow(flow_slug => 'analyze', input => '{"text": "hi"}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'analyze', input => '{"text": "other"}', run_id => '00000000-0000-0000-0000-000000000002');
SELECT pgflow.claim_tasks(worker_id => 'w1', flow_slugs => ARRAY['analyze']);
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'sentiment', output => '"positive"');

SELECT results_eq(
  $$SELECT step_slug, status, output FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' ORDER BY step_slug$$,
  $$VALUES ('combine', 'created', NULL::jsonb), ('sentiment', 'completed', '"positive"'::jsonb), ('summary', 'started', NULL::jsonb)$$,
  'mid-run: each step''s status and the outputs so far');

SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'summary', output => '"short"');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'combine', output => '{"combined": "x"}');
SELECT results_eq(
  $$SELECT step_slug, status, output FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' ORDER BY step_slug$$,
  $$VALUES ('combine', 'completed', '{"combined": "x"}'::jsonb), ('sentiment', 'completed', '"positive"'::jsonb),
           ('summary', 'completed', '"short"'::jsonb)$$,
  'after the run: each step completed with its output');
SELECT results_eq(
  $$SELECT step_slug, status, output FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000002' ORDER BY step_slug$$,
  $$VALUES ('combine', 'created', NULL::jsonb), ('sentiment', 'started', NULL::jsonb), ('summary', 'started', NULL::jsonb)$$,
  'the query shows only the run asked for');
SELECT * FROM finish();
ROLLBACK;
