-- delay_seconds in real time: the delayed step's task is not claimable right after
-- its dependency completes, and is claimable once the delay has passed, in a new
-- transaction. Each statement commits (no BEGIN): nothing waits in memory.
SELECT plan(5);

SELECT pgflow.create_flow(flow_slug => 'short_wait');
SELECT pgflow.add_step(flow_slug => 'short_wait', step_slug => 'first');
SELECT pgflow.add_step(flow_slug => 'short_wait', step_slug => 'later', deps => ARRAY['first'], delay_seconds => 1);
SELECT pgflow.start_flow(flow_slug => 'short_wait', input => '{"v": 1}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'first', output => '"done"')
  FROM pgflow.claim_tasks(worker_id => 'w');

SELECT is(
  (SELECT status FROM pgflow.step_tasks WHERE step_slug = 'later'),
  'queued', 'the delayed task is queued once its dependency completed');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w')$$,
  'right after readiness the delayed task is not claimable');
SELECT is((SELECT attempt FROM pgflow.step_tasks WHERE step_slug = 'later'), 0,
  'the early claim did not touch it');

SELECT pg_sleep(1.1);

SELECT results_eq(
  $$SELECT step_slug, attempt, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('later', 1, '{"run": {"v": 1}, "first": "done"}'::jsonb)$$,
  'after the delay, in a new transaction, the task is claimable');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'later', output => '"later"');
SELECT is((SELECT status FROM pgflow.runs), 'completed', 'the run completes');
SELECT * FROM finish();
