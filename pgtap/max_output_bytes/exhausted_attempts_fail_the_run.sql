BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "max_output_bytes": 100, "max_attempts": 2, "base_delay": 0, "steps": [
  {"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                            output => to_jsonb(repeat('x', 200)));
SELECT results_eq($$SELECT step_slug, attempt FROM pgflow.claim_tasks(worker_id => 'w2')$$,
  $$VALUES ('a', 2)$$, 'the first oversized output is retried as attempt 2');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                            output => to_jsonb(repeat('y', 300)));
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('failed', NULL::jsonb)$$,
  'the second, on the last attempt, fails the run');
SELECT matches((SELECT error_message FROM pgflow.runs), 'output too large: [0-9]+ bytes, max_output_bytes is 100',
  'the run error says why');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'a'$$,
  $$VALUES ('failed', NULL::jsonb)$$, 'the step failed, nothing stored');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'b'), 0, 'the dependent never ran');
SELECT * FROM finish();
ROLLBACK;
