-- A fan-out step's output is one jsonb array of its task outputs, and a jsonb
-- value cannot exceed 256 MiB. The step fails as soon as its stored outputs
-- total more than pgflow._max_aggregate_bytes() (replaced here, in this
-- transaction, by 1000 bytes, so the test need not write 256 MiB), not when its
-- last task reports: the error names the step, the size and the limit, the run
-- fails, and the step's other tasks are cancelled.
BEGIN;
SELECT plan(6);
CREATE OR REPLACE FUNCTION pgflow._max_aggregate_bytes() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT 1000::bigint $$;
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "items"}, {"slug": "each", "deps": ["items"], "fan_out": true}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'items',
                            output => (SELECT jsonb_agg(i) FROM generate_series(0, 9) AS i));
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 100);
-- Each output is about 300 bytes as jsonb: the fourth pushes the total over 1000.
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            output => to_jsonb(repeat('x', 300)), task_index => i, attempt => 1)
  FROM generate_series(0, 2) AS i;
SELECT is((SELECT status FROM pgflow.runs), 'started', 'three outputs (about 900 bytes) fit');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'each',
                            output => to_jsonb(repeat('x', 300)), task_index => 3, attempt => 1);
SELECT results_eq($$SELECT r.status, ss.status FROM pgflow.runs AS r JOIN pgflow.step_states AS ss ON ss.step_slug = 'each'$$,
  $$VALUES ('failed', 'failed')$$, 'the fourth fails the step and the run, with six tasks still to run');
SELECT matches((SELECT error_message FROM pgflow.step_states WHERE step_slug = 'each'),
  '^fan-out step "each" cannot aggregate its outputs: after 4 of 10 tasks they total [0-9]+ bytes as jsonb; its output, one jsonb array of them, can hold 1000 bytes at most',
  'the error names the step, the size and the limit');
SELECT cmp_ok((SELECT substring(error_message FROM 'total ([0-9]+) bytes')::int FROM pgflow.step_states WHERE step_slug = 'each'),
  '>', 1000, 'the size named is over the limit');
SELECT results_eq($$SELECT status, count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'each' GROUP BY 1 ORDER BY 1$$,
  $$VALUES ('cancelled', 6), ('completed', 4)$$, 'the tasks not yet done are cancelled');
SELECT is((SELECT error_message FROM pgflow.runs), (SELECT error_message FROM pgflow.step_states WHERE step_slug = 'each'),
  'the run says the same');
SELECT * FROM finish();
ROLLBACK;
