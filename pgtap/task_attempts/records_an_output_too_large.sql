BEGIN;
SELECT plan(1);
SELECT pgflow.define_flow('{"slug": "f", "max_output_bytes": 50, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                            output => to_jsonb(repeat('x', 100)));
SELECT results_eq($$SELECT attempt, worker_id, error_message FROM pgflow.task_attempts$$,
  $$SELECT 1, 'w1', format('output too large: %s bytes, max_output_bytes is 50', octet_length((to_jsonb(repeat('x', 100)))::text))$$,
  'an attempt failed by an oversized output is recorded with its error');
SELECT * FROM finish();
ROLLBACK;
