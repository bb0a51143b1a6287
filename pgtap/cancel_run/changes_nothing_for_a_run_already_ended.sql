BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000002');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000003');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'a', error_message => 'boom');
SELECT pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000003', reason => 'first');
-- Make the three finished_at values distinguishable from a second cancellation's now().
UPDATE pgflow.runs SET finished_at = finished_at - interval '1 hour';
CREATE TEMP TABLE runs_before AS SELECT * FROM pgflow.runs;
CREATE TEMP TABLE states_before AS SELECT * FROM pgflow.step_states;
CREATE TEMP TABLE tasks_before AS SELECT * FROM pgflow.step_tasks;
SELECT results_eq(
  $$SELECT status, output, error_message FROM pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000001', reason => 'late')$$,
  $$VALUES ('completed', '{"a": 1}'::jsonb, NULL::text)$$, 'cancelling a completed run returns it unchanged');
SELECT results_eq(
  $$SELECT status FROM pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000002', reason => 'late')$$,
  $$VALUES ('failed')$$, 'cancelling a failed run returns it, still failed');
SELECT results_eq(
  $$SELECT status, error_message ~ 'first' FROM pgflow.cancel_run(run_id => '00000000-0000-0000-0000-000000000003', reason => 'second')$$,
  $$VALUES ('cancelled', true)$$, 'cancelling twice returns the run with the first reason');
SELECT set_eq($$SELECT * FROM pgflow.runs$$, $$SELECT * FROM runs_before$$,
  'no run changed (status, error_message, finished_at)');
SELECT set_eq($$SELECT * FROM pgflow.step_states$$, $$SELECT * FROM states_before$$, 'no step changed');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM tasks_before$$, 'no task changed');
SELECT * FROM finish();
ROLLBACK;
