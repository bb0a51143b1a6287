BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 1, "steps": [
  {"slug": "a"}, {"slug": "b"}, {"slug": "after_b", "deps": ["b"]}, {"slug": "after_both", "deps": ["a", "b"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => 'boom');
SELECT is((SELECT status FROM pgflow.runs), 'failed', 'the run failed');
CREATE TEMP TABLE tasks_before AS SELECT * FROM pgflow.step_tasks;
CREATE TEMP TABLE states_before AS SELECT * FROM pgflow.step_states;
SELECT lives_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', output => '"b"')$$,
  'b''s worker reports its completion without error');
SELECT set_eq($$SELECT * FROM pgflow.step_tasks$$, $$SELECT * FROM tasks_before$$,
  'the completion creates no task for the dependents and changes no task');
SELECT set_eq($$SELECT * FROM pgflow.step_states$$, $$SELECT * FROM states_before$$, 'no step state changed');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'nothing is claimable');
SELECT * FROM finish();
ROLLBACK;
