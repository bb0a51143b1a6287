-- when_exhausted = fail (the default): the last failed attempt fails the step and
-- the run, with the last error; nothing downstream starts.
BEGIN;
SELECT plan(7);

SELECT pgflow.create_flow(flow_slug => 'fragile', max_attempts => 2, base_delay => 0);
SELECT pgflow.add_step(flow_slug => 'fragile', step_slug => 'flaky');
SELECT pgflow.add_step(flow_slug => 'fragile', step_slug => 'other');
SELECT pgflow.add_step(flow_slug => 'fragile', step_slug => 'after', deps => ARRAY['flaky']);
SELECT pgflow.start_flow(flow_slug => 'fragile', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10);
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'flaky', error_message => 'first error');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'attempt 1 of 2 failed: the run goes on');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10);
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'flaky', error_message => 'second error');

SELECT results_eq(
  $$SELECT status FROM pgflow.runs$$, $$VALUES ('failed')$$, 'the exhausted step fails the run');
SELECT matches((SELECT error_message FROM pgflow.runs), 'flaky.*second error',
  'the run''s error names the step and the last error');
SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('after', 'cancelled'), ('flaky', 'failed'), ('other', 'cancelled')$$,
  'the step is failed; unfinished steps are cancelled');
SELECT is((SELECT skip_reason FROM pgflow.step_states WHERE step_slug = 'flaky'), NULL, 'nothing was skipped');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'after'), 0, 'the dependent never got a task');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w')$$, 'the failed run has nothing to claim');
SELECT * FROM finish();
ROLLBACK;
