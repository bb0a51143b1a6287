BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => ('00000000-0000-0000-0000-00000000000' || i)::uuid)
  FROM generate_series(1, 3) AS i;
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT results_eq(
  $$SELECT run_id::text, status FROM pgflow.complete_tasks(tasks => '[
      {"run_id": "00000000-0000-0000-0000-000000000003", "step_slug": "a", "output": 3, "attempt": 1},
      {"run_id": "00000000-0000-0000-0000-000000000001", "step_slug": "a", "output": 1, "attempt": 1},
      {"run_id": "00000000-0000-0000-0000-000000000002", "step_slug": "a", "output": 2, "attempt": 7}]')$$,
  $$VALUES ('00000000-0000-0000-0000-000000000003', 'completed'), ('00000000-0000-0000-0000-000000000001', 'completed'),
           ('00000000-0000-0000-0000-000000000002', 'started')$$,
  'one row per report, in the order given; a stale report is ignored, not an error');
SELECT results_eq(
  $$SELECT run_id::text, input FROM pgflow.claim_tasks(worker_id => 'w1') ORDER BY run_id$$,
  $$VALUES ('00000000-0000-0000-0000-000000000001', '{"run": {}, "a": 1}'::jsonb),
           ('00000000-0000-0000-0000-000000000003', '{"run": {}, "a": 3}'::jsonb)$$,
  'each completion started its dependent with its own output');
SELECT results_eq(
  $$SELECT count(*)::int FROM pgflow.complete_tasks(tasks => '[
      {"run_id": "00000000-0000-0000-0000-000000000001", "step_slug": "b", "output": "x", "attempt": 1},
      {"run_id": "00000000-0000-0000-0000-000000000001", "step_slug": "b", "output": "again", "attempt": 1}]')$$,
  $$VALUES (2)$$, 'two reports for one task in one batch: the second is a duplicate');
SELECT results_eq($$SELECT status, output FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('completed', '{"b": "x"}'::jsonb)$$, 'the first report won and completed the run');
SELECT throws_ok($$SELECT * FROM pgflow.complete_tasks(tasks => '{"run_id": "x"}')$$, '22023',
  'tasks must be a JSON array of reports, got object', 'a batch that is not an array is refused');
SELECT * FROM finish();
ROLLBACK;
