-- run_if may match a dependency's output: {"check": {"ok": true}} holds when the
-- step's input (which has check's output under "check") contains it.
BEGIN;
SELECT plan(7);

SELECT pgflow.define_flow('{"slug": "gate", "steps": [
  {"slug": "check"},
  {"slug": "act", "deps": ["check"], "run_if": {"check": {"ok": true}}}]}');

-- check says ok: act runs and sees check's output.
SELECT pgflow.start_flow(flow_slug => 'gate', input => '{"n": 1}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'check',
                            output => '{"ok": true, "score": 9}')
  FROM pgflow.claim_tasks(worker_id => 'w');
SELECT is(
  (SELECT status FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'act'),
  'started', 'ok = true: act starts');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('act', '{"run": {"n": 1}, "check": {"ok": true, "score": 9}}'::jsonb)$$,
  'ok = true: act is claimed with check''s output');

-- check says not ok: act is skipped, and the run (act is its only leaf) completes.
SELECT pgflow.start_flow(flow_slug => 'gate', input => '{"n": 2}', run_id => '00000000-0000-0000-0000-000000000002');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'check',
                            output => '{"ok": false, "score": 1}')
  FROM pgflow.claim_tasks(worker_id => 'w');
SELECT is(
  (SELECT status FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000002' AND step_slug = 'act'),
  'skipped', 'ok = false: act is skipped');
SELECT matches(
  (SELECT skip_reason FROM pgflow.step_states
    WHERE run_id = '00000000-0000-0000-0000-000000000002' AND step_slug = 'act'),
  'run_if.*"check": \{"ok": true\}',
  'ok = false: skip_reason names run_if and its pattern');
SELECT is(
  (SELECT count(*)::int FROM pgflow.step_tasks WHERE run_id = '00000000-0000-0000-0000-000000000002' AND step_slug = 'act'),
  0, 'ok = false: act gets no task');
SELECT is(
  (SELECT status FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000002'),
  'completed', 'ok = false: the run completes');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w')$$, 'nothing is left to claim');
SELECT * FROM finish();
ROLLBACK;
