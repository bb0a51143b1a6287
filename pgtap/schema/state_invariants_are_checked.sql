-- The state invariants are CHECK constraints, so a bug that breaks one fails
-- loudly instead of corrupting state: finished_at is set exactly when a status
-- is final; output only on completed runs, steps and tasks; error_message only
-- on failed steps and stopped runs; skip_reason only (and always) on skipped
-- steps; a started task has an attempt, a started_at and a worker_id.
BEGIN;
SELECT plan(13);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT throws_ok($$UPDATE pgflow.runs SET status = 'completed'$$, '23514', NULL, 'a final run needs finished_at');
SELECT throws_ok($$UPDATE pgflow.runs SET finished_at = now()$$, '23514', NULL, 'a started run has no finished_at');
SELECT throws_ok($$UPDATE pgflow.runs SET output = '{}'$$, '23514', NULL, 'only a completed run has an output');
SELECT throws_ok($$UPDATE pgflow.runs SET error_message = 'x'$$, '23514', NULL, 'only a stopped run has an error');
SELECT throws_ok($$UPDATE pgflow.step_states SET status = 'completed' WHERE step_slug = 'a'$$, '23514', NULL,
  'a final step needs finished_at');
SELECT throws_ok($$UPDATE pgflow.step_states SET output = '1' WHERE step_slug = 'a'$$, '23514', NULL,
  'only a completed step has an output');
SELECT throws_ok($$UPDATE pgflow.step_states SET error_message = 'x' WHERE step_slug = 'a'$$, '23514', NULL,
  'only a failed step has an error');
SELECT throws_ok($$UPDATE pgflow.step_states SET skip_reason = 'x' WHERE step_slug = 'b'$$, '23514', NULL,
  'only a skipped step has a skip_reason');
SELECT throws_ok($$UPDATE pgflow.step_states SET status = 'skipped', finished_at = now() WHERE step_slug = 'b'$$,
  '23514', NULL, 'a skipped step says why');
SELECT throws_ok($$UPDATE pgflow.step_states SET status = 'started' WHERE step_slug = 'b'$$, '23514', NULL,
  'a started step has a started_at');
SELECT throws_ok($$UPDATE pgflow.step_tasks SET worker_id = NULL$$, '23514', NULL, 'a started task has a worker');
SELECT throws_ok($$UPDATE pgflow.step_tasks SET status = 'completed'$$, '23514', NULL, 'a final task needs finished_at');
SELECT throws_ok($$UPDATE pgflow.step_tasks SET output = '1'$$, '23514', NULL, 'only a completed task has an output');
SELECT * FROM finish();
ROLLBACK;
