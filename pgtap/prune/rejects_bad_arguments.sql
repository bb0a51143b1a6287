BEGIN;
SELECT plan(7);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1');
UPDATE pgflow.runs SET finished_at = now() - interval '2 days';
SELECT throws_ok($$SELECT pgflow.prune(older_than => interval '-1 day')$$, '22023', NULL,
  'a negative interval is rejected with 22023');
SELECT throws_like($$SELECT pgflow.prune(older_than => interval '-1 day')$$, '%older_than%',
  'the message names older_than');
SELECT throws_ok($$SELECT pgflow.prune(older_than => NULL)$$, '22023', NULL, 'a NULL interval is rejected');
SELECT throws_ok($$SELECT pgflow.prune(older_than => interval '1 day', batch_size => 0)$$, '22023', NULL,
  'batch_size 0 is rejected with 22023');
SELECT throws_like($$SELECT pgflow.prune(older_than => interval '1 day', batch_size => -5)$$, '%batch_size%',
  'a negative batch_size is rejected, naming batch_size');
SELECT throws_ok($$SELECT pgflow.prune(older_than => interval '1 day', batch_size => NULL)$$, '22023', NULL,
  'a NULL batch_size is rejected');
SELECT is((SELECT count(*)::int FROM pgflow.runs), 1, 'nothing was removed by the rejected calls');
SELECT * FROM finish();
ROLLBACK;
