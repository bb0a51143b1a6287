-- when_unmet = fail: an unmet condition fails the run, with an error naming the
-- step. The dependency's complete_task that triggered it succeeds.
BEGIN;
SELECT plan(9);

SELECT pgflow.create_flow(flow_slug => 'strict');
SELECT pgflow.add_step(flow_slug => 'strict', step_slug => 'fetch');
SELECT pgflow.add_step(flow_slug => 'strict', step_slug => 'must_be_valid', deps => ARRAY['fetch'],
                       run_if => '{"fetch": {"valid": true}}', when_unmet => 'fail');
SELECT pgflow.add_step(flow_slug => 'strict', step_slug => 'after', deps => ARRAY['must_be_valid']);
SELECT pgflow.add_step(flow_slug => 'strict', step_slug => 'side');

SELECT pgflow.start_flow(flow_slug => 'strict', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
CREATE TEMP TABLE claimed AS SELECT * FROM pgflow.claim_tasks(worker_id => 'w');
SELECT lives_ok(
  $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'fetch',
                                output => '{"valid": false}')$$,
  'completing the dependency does not raise');
SELECT results_eq(
  $$SELECT status FROM pgflow.runs$$, $$VALUES ('failed')$$, 'the run is failed');
SELECT matches(
  (SELECT error_message FROM pgflow.runs), 'must_be_valid', 'the run''s error names the step');
SELECT matches(
  (SELECT error_message FROM pgflow.runs), 'run_if', 'the run''s error names the condition');
SELECT is(
  (SELECT status FROM pgflow.step_states WHERE step_slug = 'must_be_valid'),
  'failed', 'the step is failed');
SELECT isnt(
  (SELECT status FROM pgflow.step_states WHERE step_slug = 'after'),
  'started', 'the step after it does not start');
SELECT is(
  (SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug IN ('must_be_valid', 'after')),
  0, 'no task was created for the failed step or its dependents');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w')$$, 'the failed run has nothing to claim');

-- On a root step, start_flow records a failed run.
SELECT pgflow.define_flow('{"slug": "strict_root", "steps": [
  {"slug": "root", "run_unless": {"run": {"blocked": true}}, "when_unmet": "fail"}]}');
SELECT results_eq(
  $$SELECT status, error_message ~ 'root' FROM pgflow.start_flow(flow_slug => 'strict_root', input => '{"blocked": true}')$$,
  $$VALUES ('failed', true)$$,
  'a root whose condition is unmet with fail fails the run at start, naming the step');
SELECT * FROM finish();
ROLLBACK;
