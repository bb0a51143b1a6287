BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "max_output_bytes": 100, "base_delay": 5, "steps": [
  {"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
CREATE TEMP TABLE big AS SELECT to_jsonb(repeat('x', 200)) AS output;
SELECT cmp_ok((SELECT octet_length((output)::text) FROM big), '>', 100, 'the output is over 100 bytes');
SELECT lives_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                                output => (SELECT output FROM big))$$,
  'complete_task does not raise (a WARNING), it fails the attempt');
SELECT results_eq(
  $$SELECT status, output, error_message FROM pgflow.step_tasks WHERE step_slug = 'a'$$,
  $$SELECT 'queued', NULL::jsonb, format('output too large: %s bytes, max_output_bytes is 100', octet_length((output)::text)) FROM big$$,
  'the attempt failed with an error giving the size and the limit, and nothing is stored on the task');
SELECT results_eq($$SELECT status, output FROM pgflow.step_states WHERE step_slug = 'a'$$,
  $$VALUES ('started', NULL::jsonb)$$, 'nor on the step, which is not completed');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'b'), 0, 'the dependent does not start');
SELECT results_eq($$SELECT attempt, available_at - now() FROM pgflow.step_tasks WHERE step_slug = 'a'$$,
  $$VALUES (1, interval '5 seconds')$$, 'retried per policy: attempt 1 failed, claimable after base_delay');
SELECT * FROM finish();
ROLLBACK;
