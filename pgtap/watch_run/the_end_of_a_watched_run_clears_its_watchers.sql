BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT is((pgflow.watch_run(run_id => '00000000-0000-0000-0000-000000000001')).status, 'started', 'returns the run as it is');
SELECT is((SELECT count(*)::int FROM pgflow.run_watchers), 1, 'the watcher is registered');
SELECT pgflow.complete_task(run_id => run_id, step_slug => 'a', output => '1') FROM pgflow.claim_tasks(worker_id => 'w');
SELECT is((SELECT count(*)::int FROM pgflow.run_watchers), 0, 'the run end notified and forgot its watchers');
SELECT throws_like($$SELECT pgflow.watch_run(run_id => '00000000-0000-0000-0000-0000000000ff')$$,
  'run 00000000-0000-0000-0000-0000000000ff does not exist', 'an unknown run is refused');
SELECT * FROM finish();
ROLLBACK;
