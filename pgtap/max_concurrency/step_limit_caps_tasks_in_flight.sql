BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "max_concurrency": 2}]}');
SELECT pgflow.start_flow(flow_slug => 'f') FROM generate_series(1, 5);
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status = 'queued' AND available_at <= now()), 5,
  'five claimable tasks of step a');
CREATE TEMP TABLE first_claim AS SELECT * FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT is((SELECT count(*)::int FROM first_claim), 2, 'one claim of up to 10 returns only 2: the limit');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 0,
  'the next claim returns nothing while both are in flight');
SELECT pgflow.complete_task(run_id => run_id, step_slug => 'a', output => '1')
  FROM first_claim ORDER BY run_id LIMIT 1;
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 1,
  'one completed: exactly one more is claimed');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)), 0,
  'and then nothing again');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status = 'started'), 2, 'never more than 2 in flight');
SELECT * FROM finish();
ROLLBACK;
