-- pgtap: plain layout only
BEGIN;
SELECT plan(14);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.partition_history(partition_interval => '1 day', premake => 1);
-- Sets for 10 to 7 days ago, and runs started in them (ids of those days).
SELECT is(pgflow._make_history_partitions(now() - interval '10 days', now() - interval '7 days'), 4,
  'the four sets that cover 10 to 7 days ago');
CREATE TEMP TABLE day AS SELECT pgflow._history_set_start(now() - interval '10 days', '1 day') AS d10;
SELECT pgflow.start_flow(flow_slug => 'f', run_id => pgflow._time_ordered_uuid(d10 + interval '1 hour'))
  FROM day, generate_series(1, 3);
SELECT pgflow.start_flow(flow_slug => 'f', run_id => pgflow._time_ordered_uuid(d10 + interval '1 day 1 hour'))
  FROM day, generate_series(1, 2);
-- A run whose id no set holds (a caller's UUIDv4) lives in the DEFAULT partition.
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-4000-8000-000000000001');
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => 'a', output => '1', task_index => 0,
                            attempt => t.attempt, lease_token => t.lease_token)
  FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10) AS t;
UPDATE pgflow.runs SET finished_at = now() - interval '3 days';
SELECT is((SELECT count(*)::int FROM pgflow.runs WHERE status = 'completed'), 6, 'six runs completed');

-- Each run is 3 rows: the run, its step state, its task.
SELECT is(pgflow.prune(older_than => interval '1 day'), 9::bigint, 'the oldest set goes whole: 3 runs, 9 rows');
SELECT ok(to_regclass('pgflow.step_tasks_p' || to_char(d10 AT TIME ZONE 'UTC', 'YYYYMMDD') || 't0000') IS NULL,
  'its partitions are dropped') FROM day;
SELECT is(pgflow.prune(older_than => interval '1 day'), 6::bigint, 'the next call drops the next set: 2 runs');
SELECT is(pgflow.prune(older_than => interval '1 day'), 1::bigint, 'an empty set counts 1');
SELECT is(pgflow.prune(older_than => interval '1 day'), 1::bigint, 'and the next empty one');
SELECT is(pgflow.prune(older_than => interval '1 day'), 3::bigint, 'then the DEFAULT partition''s run, by delete');
SELECT is(pgflow.prune(older_than => interval '1 day'), 0::bigint, 'then nothing is left');
SELECT is((SELECT count(*)::int FROM pgflow.runs), 0, 'no run is left');

-- A set with a run still going stays.
SELECT pgflow._make_history_partitions(d10 + interval '2 days', d10 + interval '3 days') FROM day;
SELECT pgflow.start_flow(flow_slug => 'f', run_id => pgflow._time_ordered_uuid(d10 + interval '2 days 1 hour'))
  FROM day, generate_series(1, 2);
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => 'a', output => '1', task_index => 0,
                            attempt => t.attempt, lease_token => t.lease_token)
  FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1) AS t;
UPDATE pgflow.runs SET finished_at = now() - interval '3 days' WHERE status = 'completed';
SELECT is(pgflow.prune(older_than => interval '1 day'), 3::bigint,
  'a set with a run in flight is not dropped: its finished run goes by delete');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'the run in flight is untouched');
SELECT ok(to_regclass('pgflow.runs_p' || to_char((d10 + interval '2 days') AT TIME ZONE 'UTC', 'YYYYMMDD') || 't0000')
          IS NOT NULL, 'its set is still there') FROM day;
SELECT is(pgflow.prune(older_than => interval '100 years'), 0::bigint, 'a cut-off before every set drops nothing');
SELECT * FROM finish();
ROLLBACK;
