BEGIN;
SELECT plan(4);
-- A child whose only step is skipped on its condition completes inside its start_flow.
SELECT pgflow.define_flow('{"slug": "maybe", "steps": [{"slug": "work", "run_if": {"run": {"go": true}}}]}');
-- One whose root fails on its condition fails there.
SELECT pgflow.define_flow('{"slug": "strict", "steps": [{"slug": "work", "run_if": {"run": {"go": true}}, "when_unmet": "fail"}]}');
SELECT pgflow.define_flow('{"slug": "calm", "steps": [{"slug": "a", "subflow": "maybe"}, {"slug": "after", "deps": ["a"]}]}');
SELECT pgflow.define_flow('{"slug": "tense", "max_attempts": 2, "base_delay": 0, "steps": [{"slug": "a", "subflow": "strict"}]}');

SELECT pgflow.start_flow(flow_slug => 'calm', run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' ORDER BY step_slug$$,
  $$VALUES ('completed', '{}'::jsonb), ('started', NULL)$$,
  'a child that completed in its own start completed the step with its output ({})');
SELECT results_eq($$SELECT step_slug FROM pgflow.claim_tasks(worker_id => 'w1')$$, $$VALUES ('after')$$,
  'and its dependent started');

SELECT pgflow.start_flow(flow_slug => 'tense', run_id => '00000000-0000-0000-0000-000000000002');
SELECT results_eq($$SELECT status FROM pgflow.runs WHERE flow_slug IN ('strict', 'tense') ORDER BY flow_slug, started_at$$,
  $$VALUES ('failed'), ('failed'), ('failed')$$,
  'a child that failed in its own start used an attempt; the retry''s child failed too, and the parent with it');
SELECT is((SELECT count(*)::int FROM pgflow.task_attempts WHERE run_id = '00000000-0000-0000-0000-000000000002'), 2,
  'two attempts, two children');
SELECT * FROM finish();
ROLLBACK;
