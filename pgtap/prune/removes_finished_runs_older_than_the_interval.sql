BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 2, "base_delay": 0, "steps": [
  {"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
-- 1 completed, 2 failed (with two recorded attempts), 3 cancelled: all finished two days ago.
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000002');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000003');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'a', error_message => 'boom 1');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', output => '2');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'a', error_message => 'boom 2');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000003');
SELECT is((SELECT array_agg(status ORDER BY run_id) FROM pgflow.runs), ARRAY['completed', 'failed', 'cancelled'],
  'three finished runs');
UPDATE pgflow.runs SET finished_at = now() - interval '2 days';
-- runs 3 + step_states 6 + step_tasks (1: a, b; 2: a; 3: a) 4 + task_attempts 2
SELECT is((SELECT (SELECT count(*) FROM pgflow.runs) + (SELECT count(*) FROM pgflow.step_states)
                + (SELECT count(*) FROM pgflow.step_tasks) + (SELECT count(*) FROM pgflow.task_attempts)),
  15::bigint, 'fifteen rows in all belong to them');

SELECT is(pgflow.prune(older_than => interval '1 day'), 15::bigint, 'prune returns the number of rows removed: 15');
SELECT is_empty($$SELECT * FROM pgflow.runs$$, 'the runs are gone');
SELECT is((SELECT (SELECT count(*) FROM pgflow.step_states) + (SELECT count(*) FROM pgflow.step_tasks)
                + (SELECT count(*) FROM pgflow.task_attempts)),
  0::bigint, 'with their step states, tasks and attempts');
SELECT is((SELECT count(*)::int FROM pgflow.flows), 1, 'the flow definition stays');
SELECT * FROM finish();
ROLLBACK;
