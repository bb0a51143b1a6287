BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "base_delay": 0, "max_attempts": 2, "steps": [{"slug": "a", "max_concurrency": 1}]}');
SELECT pgflow.start_flow(flow_slug => 'f') FROM generate_series(1, 5);
CREATE FUNCTION pg_temp.claim() RETURNS int LANGUAGE sql AS
  $$SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10)$$;
CREATE FUNCTION pg_temp.started() RETURNS uuid LANGUAGE sql AS
  $$SELECT run_id FROM pgflow.step_tasks WHERE status = 'started'$$;
SELECT pg_temp.claim();
SELECT pgflow.complete_task(run_id => pg_temp.started(), step_slug => 'a', output => '1');
SELECT is(pg_temp.claim(), 1, 'completed: the slot is free');
SELECT pgflow.fail_task(run_id => pg_temp.started(), step_slug => 'a', error_message => 'x');
SELECT is(pg_temp.claim(), 1, 'failed (retried): free');
SELECT pgflow.cancel_run(run_id => pg_temp.started());
SELECT is(pg_temp.claim(), 1, 'cancelled with its run: free');
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second' WHERE status = 'started';
SELECT is(pg_temp.claim(), 1, 'lease expired: the reclaim takes the slot again');
SELECT is((SELECT in_flight FROM pgflow.limit_counters) - (SELECT count(*)::int FROM pgflow.limit_releases), 1,
  'the counter, releases folded, says one in flight');
SELECT * FROM finish();
ROLLBACK;
