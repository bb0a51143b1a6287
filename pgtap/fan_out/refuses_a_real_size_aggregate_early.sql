-- At the real limit: 300 tasks of 1 MB outputs each (under the default 1 MiB
-- max_output_bytes) would make a 300 MB array, over jsonb's 256 MiB. The step
-- fails once the stored outputs pass pgflow._max_aggregate_bytes() (255 MiB),
-- i.e. at the 268th report (each output is about 1 MB as jsonb), not at the
-- 300th with jsonb's own error.
BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "items"}, {"slug": "each", "deps": ["items"], "fan_out": true}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'items',
                            output => (SELECT jsonb_agg(i) FROM generate_series(0, 299) AS i));
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 300);
SELECT count(*) FROM (
  SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                              output => to_jsonb(repeat('x', 1000000)), task_index => i, attempt => 1)
    FROM generate_series(0, 299) AS i) AS x;
SELECT results_eq($$SELECT r.status, ss.status FROM pgflow.runs AS r JOIN pgflow.step_states AS ss ON ss.step_slug = 'each'$$,
  $$VALUES ('failed', 'failed')$$, 'the step and the run failed');
SELECT matches((SELECT error_message FROM pgflow.step_states WHERE step_slug = 'each'),
  '^fan-out step "each" cannot aggregate its outputs: after 268 of 300 tasks they total [0-9]+ bytes as jsonb; its output, one jsonb array of them, can hold 267386880 bytes at most',
  'with a clear error, as soon as the outputs passed the limit');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'each' AND status = 'cancelled'), 32,
  'the remaining tasks are cancelled');
SELECT * FROM finish();
ROLLBACK;
