BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "max_concurrency": 3, "steps": [{"slug": "a"}, {"slug": "b"}]}');
SELECT pgflow.start_flow(flow_slug => 'f') FROM generate_series(1, 3);
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status = 'queued'), 6, 'six claimable tasks over two steps');
CREATE TEMP TABLE first_claim AS SELECT * FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT is((SELECT count(*)::int FROM first_claim), 3, 'the flow limit of 3 counts tasks of every step');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w2', max_tasks => 10)), 0,
  'nothing more while three are in flight');
SELECT pgflow.complete_task(run_id => run_id, step_slug => step_slug, output => '1')
  FROM (SELECT * FROM first_claim ORDER BY run_id, step_slug LIMIT 2) AS done;
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w2', max_tasks => 10)), 2,
  'two completed: two more are claimed');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status = 'started'), 3, 'three in flight');
SELECT * FROM finish();
ROLLBACK;
