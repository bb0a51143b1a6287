-- A batch mixing reports to a cancelled run and to a live one: the cancelled
-- run's reports (plain and fan-out) are ignored with a NOTICE and change
-- nothing; the live run's count, and the batch answers in order.
BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "items"}, {"slug": "each", "deps": ["items"], "fan_out": true}, {"slug": "side"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => r)
  FROM unnest(ARRAY['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002']::uuid[]) AS r;
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT pgflow.complete_task(run_id => r, step_slug => 'items', output => '[1, 2]')
  FROM unnest(ARRAY['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002']::uuid[]) AS r;
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq($$SELECT run_id::text, step_slug, task_index, status FROM pgflow.complete_tasks(jsonb_build_array(
    jsonb_build_object('run_id', '00000000-0000-0000-0000-000000000002', 'step_slug', 'each', 'output', 0, 'task_index', 0, 'attempt', 1),
    jsonb_build_object('run_id', '00000000-0000-0000-0000-000000000001', 'step_slug', 'each', 'output', 0, 'task_index', 0, 'attempt', 1),
    jsonb_build_object('run_id', '00000000-0000-0000-0000-000000000001', 'step_slug', 'side', 'output', 0, 'attempt', 1),
    jsonb_build_object('run_id', '00000000-0000-0000-0000-000000000002', 'step_slug', 'side', 'output', 0, 'attempt', 1),
    jsonb_build_object('run_id', '00000000-0000-0000-0000-000000000002', 'step_slug', 'each', 'output', 1, 'task_index', 1, 'attempt', 1)))$$,
  $$VALUES ('00000000-0000-0000-0000-000000000002', 'each', 0, 'completed'),
           ('00000000-0000-0000-0000-000000000001', 'each', 0, 'cancelled'),
           ('00000000-0000-0000-0000-000000000001', 'side', 0, 'cancelled'),
           ('00000000-0000-0000-0000-000000000002', 'side', 0, 'completed'),
           ('00000000-0000-0000-0000-000000000002', 'each', 1, 'completed')$$,
  'each report answered in order: the cancelled run''s ignored, the live run''s counted');
SELECT results_eq($$SELECT run_id::text, status, error_message FROM pgflow.runs ORDER BY run_id$$,
  $$VALUES ('00000000-0000-0000-0000-000000000001', 'cancelled', 'cancelled: no reason given'),
           ('00000000-0000-0000-0000-000000000002', 'completed', NULL)$$,
  'the cancelled run stays cancelled, the live one completes');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE run_id = '00000000-0000-0000-0000-000000000001'
             AND status IN ('queued', 'started')), 0, 'no task of the cancelled run is live');
SELECT * FROM finish();
ROLLBACK;
