-- A root step's condition is evaluated when the run starts, against {"run": <input>}.
BEGIN;
SELECT plan(7);

SELECT pgflow.create_flow(flow_slug => 'maybe');
SELECT pgflow.add_step(flow_slug => 'maybe', step_slug => 'notify', run_if => '{"run": {"notify": true}}');
SELECT pgflow.add_step(flow_slug => 'maybe', step_slug => 'log');

SELECT pgflow.start_flow(flow_slug => 'maybe', input => '{"notify": true, "to": "ann"}',
                         run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w') ORDER BY step_slug$$,
  $$VALUES ('log', '{"run": {"notify": true, "to": "ann"}}'::jsonb),
           ('notify', '{"run": {"notify": true, "to": "ann"}}'::jsonb)$$,
  'condition met: both roots are claimable');

SELECT is(
  (SELECT status FROM pgflow.start_flow(flow_slug => 'maybe', input => '{"notify": false}',
                                        run_id => '00000000-0000-0000-0000-000000000002')),
  'started', 'condition unmet: the run starts');
SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states
     WHERE run_id = '00000000-0000-0000-0000-000000000002' ORDER BY step_slug$$,
  $$VALUES ('log', 'started'), ('notify', 'skipped')$$,
  'condition unmet: the root is skipped at start, the other root starts');
SELECT matches(
  (SELECT skip_reason FROM pgflow.step_states
    WHERE run_id = '00000000-0000-0000-0000-000000000002' AND step_slug = 'notify'),
  'run_if.*"notify": true', 'skip_reason names run_if and its pattern');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('log')$$,
  'condition unmet: only the other root is claimable');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'log', output => '"ok"');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000002'$$,
  $$VALUES ('completed', '{"log": "ok"}'::jsonb)$$,
  'the run completes without the skipped root''s key');

-- A flow whose only step is a skipped root completes at start.
SELECT pgflow.define_flow('{"slug": "lonely", "steps": [{"slug": "only", "run_if": {"run": {"go": true}}}]}');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.start_flow(flow_slug => 'lonely', input => '{}')$$,
  $$VALUES ('completed', '{}'::jsonb)$$,
  'a run whose only (root) step is skipped completes at once with {}');
SELECT * FROM finish();
ROLLBACK;
