-- Critique 2.3: parallel steps, defined with add_step and named arguments.
BEGIN;
SELECT plan(6);
SELECT pgflow.create_flow(flow_slug => 'analyze_parallel');
SELECT pgflow.add_step(flow_slug => 'analyze_parallel', step_slug => 'sentiment');
SELECT pgflow.add_step(flow_slug => 'analyze_parallel', step_slug => 'summary');
SELECT pgflow.add_step(flow_slug => 'analyze_parallel', step_slug => 'combine', deps => ARRAY['sentiment', 'summary']);
SELECT pgflow.start_flow(flow_slug => 'analyze_parallel', input => '{"text": "great product"}',
                         run_id => '00000000-0000-0000-0000-000000000001');

SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10) ORDER BY step_slug$$,
  $$VALUES ('sentiment', '{"run": {"text": "great product"}}'::jsonb),
           ('summary', '{"run": {"text": "great product"}}'::jsonb)$$,
  'both roots are claimable in the same claim, each with the flow input');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'summary', output => '"a product review"');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w2')$$, 'combine waits for sentiment');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'sentiment', output => '"positive"');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w2')$$,
  $$VALUES ('combine', '{"run": {"text": "great product"}, "sentiment": "positive", "summary": "a product review"}'::jsonb)$$,
  'combine gets both outputs');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'combine',
  output => '{"combined": "Summary: a product review, Sentiment: positive"}');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$,
  $$VALUES ('completed', '{"combine": {"combined": "Summary: a product review, Sentiment: positive"}}'::jsonb)$$,
  'the run output is combine''s output');
SELECT results_eq($$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('combine', 'completed'), ('sentiment', 'completed'), ('summary', 'completed')$$, 'every step completed');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks), 3, 'one task per step');
SELECT * FROM finish();
ROLLBACK;
