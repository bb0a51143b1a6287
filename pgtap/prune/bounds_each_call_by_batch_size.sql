BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f') FROM generate_series(1, 5);
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT pgflow.complete_task(run_id => run_id, step_slug => 'a', output => '1') FROM pgflow.runs;
UPDATE pgflow.runs SET finished_at = now() - interval '2 days';
-- Each run is 3 rows: the run, its step state, its task.
SELECT is(pgflow.prune(older_than => interval '1 day', batch_size => 2), 6::bigint, 'first call: two runs (6 rows)');
SELECT is((SELECT count(*)::int FROM pgflow.runs), 3, 'three runs are left');
SELECT is(pgflow.prune(older_than => interval '1 day', batch_size => 2), 6::bigint, 'second call: two more');
SELECT is(pgflow.prune(older_than => interval '1 day', batch_size => 2), 3::bigint, 'third call: the last one');
SELECT is(pgflow.prune(older_than => interval '1 day', batch_size => 2), 0::bigint,
  'then 0: nothing left to prune, the caller stops');
SELECT * FROM finish();
ROLLBACK;
