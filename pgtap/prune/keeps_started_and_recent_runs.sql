BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
-- 1: started ten days ago and still running; 2: completed an hour ago; 3: completed ten days ago.
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000002');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000003');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT pgflow.complete_task(run_id => ('00000000-0000-0000-0000-00000000000' || i)::uuid, step_slug => 'a', output => '1')
  FROM generate_series(2, 3) AS i;
UPDATE pgflow.runs SET started_at = now() - interval '10 days';
UPDATE pgflow.runs SET finished_at = now() - interval '1 hour' WHERE run_id = '00000000-0000-0000-0000-000000000002';
UPDATE pgflow.runs SET finished_at = now() - interval '10 days' WHERE run_id = '00000000-0000-0000-0000-000000000003';
CREATE TEMP TABLE kept_tasks AS SELECT * FROM pgflow.step_tasks WHERE run_id <> '00000000-0000-0000-0000-000000000003';

SELECT is(pgflow.prune(older_than => interval '1 day'), 3::bigint, 'only the old completed run is removed (3 rows)');
SELECT results_eq($$SELECT run_id, status FROM pgflow.runs ORDER BY run_id$$,
  $$VALUES ('00000000-0000-0000-0000-000000000001'::uuid, 'started'), ('00000000-0000-0000-0000-000000000002', 'completed')$$,
  'the started run, however old, and the recently finished one are kept');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM kept_tasks$$, 'with all their tasks');
-- The running run goes on.
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1');
SELECT is((SELECT status FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'), 'completed',
  'the kept started run still completes');
SELECT * FROM finish();
ROLLBACK;
