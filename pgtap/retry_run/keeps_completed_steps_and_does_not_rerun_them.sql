BEGIN;
SELECT plan(5);
-- a -> b -> c; b exhausts its two attempts, so the run fails after a completed.
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 2, "base_delay": 0, "steps": [
  {"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"x": 1}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '{"from_a": 7}');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', error_message => 'boom 1');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', error_message => 'boom 2');
SELECT is((SELECT status FROM pgflow.runs), 'failed', 'the run failed');
CREATE TEMP TABLE a_task_before AS SELECT * FROM pgflow.step_tasks WHERE step_slug = 'a';
CREATE TEMP TABLE a_state_before AS SELECT * FROM pgflow.step_states WHERE step_slug = 'a';

SELECT pgflow.retry_run(run_id => '00000000-0000-0000-0000-000000000001');
SELECT set_eq($$SELECT * FROM pgflow.step_states WHERE step_slug = 'a'$$, $$SELECT * FROM a_state_before$$,
  'the completed step keeps its state and output');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks WHERE step_slug = 'a'$$, $$SELECT * FROM a_task_before$$,
  'its task is untouched: no new task, no new attempt');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w2', max_tasks => 10)$$,
  $$VALUES ('b', '{"run": {"x": 1}, "a": {"from_a": 7}}'::jsonb)$$,
  'only the failed step is claimable, with the kept output of a as its input');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'a'), 1, 'a still has exactly one task');
SELECT * FROM finish();
ROLLBACK;
