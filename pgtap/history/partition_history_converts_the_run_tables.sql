-- pgtap: plain layout only
BEGIN;
SELECT plan(15);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"]}]}');
-- A run in flight and a keyed run from before the conversion, and one failed attempt.
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"n": 1}', idempotency_key => 'k1');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT pgflow.fail_task(run_id => t.run_id, step_slug => 'a', error_message => 'boom', task_index => 0,
                        attempt => t.attempt, lease_token => t.lease_token)
  FROM pgflow.step_tasks AS t;
CREATE TEMP TABLE before AS SELECT max(a.attempt_id) AS attempt_id FROM pgflow.task_attempts AS a;

SELECT is(pgflow.partition_history(partition_interval => '1 day', premake => 2), 3,
  'partition_history makes the sets from today to 2 days ahead');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class AS c
            WHERE c.relnamespace = 'pgflow'::regnamespace AND c.relkind = 'p'),
          ARRAY['fan_out_shards', 'run_watchers', 'runs', 'signal_deadlines', 'signals', 'step_states', 'step_tasks',
                'task_attempts'],
  'every run-keyed table is partitioned');
SELECT is((SELECT count(*)::int FROM pg_inherits AS i WHERE i.inhparent = 'pgflow.step_tasks'::regclass), 4,
  'step_tasks: three sets and the DEFAULT partition');
SELECT is((SELECT tableoid::regclass::text FROM pgflow.runs),
          'pgflow.runs_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD') || 't0000',
  'today''s run moved into today''s set');
SELECT is(pg_get_function_result('pgflow.start_flow(text, jsonb, uuid, text, int, text)'::regprocedure), 'pgflow.runs',
  'start_flow still returns a row of pgflow.runs (the parent)');
SELECT is((SELECT count(*)::int FROM pg_depend AS d
            WHERE d.refobjid = (SELECT e.oid FROM pg_extension AS e WHERE e.extname = 'pgflow') AND d.deptype = 'e'
              AND d.classid = 'pg_class'::regclass
              AND d.objid IN (SELECT c.oid FROM pg_class AS c WHERE c.relname LIKE 'step_tasks%' AND c.relkind IN ('r', 'p'))),
          5, 'the parent and its partitions belong to the extension');
SELECT ok((SELECT bool_and(c.oid = ANY (e.extconfig)) FROM pg_extension AS e, pg_class AS c
            WHERE e.extname = 'pgflow' AND c.relname LIKE 'runs\_p%' AND c.relkind = 'r' AND c.relnamespace = 'pgflow'::regnamespace),
  'the partitions are marked for pg_dump');

-- The run started before goes on and finishes (its retry made due now).
UPDATE pgflow.step_tasks SET available_at = now() WHERE status = 'queued';
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => t.step_slug, output => '1', task_index => 0,
                            attempt => t.attempt, lease_token => t.lease_token)
  FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10) AS t;
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => t.step_slug, output => '2', task_index => 0,
                            attempt => t.attempt, lease_token => t.lease_token)
  FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10) AS t;
SELECT is((SELECT status || ' ' || output::text FROM pgflow.runs), 'completed {"b": 2}',
  'the run from before the conversion completes');

-- Keys stay unique without a unique index; attempt ids keep counting.
SELECT is((SELECT s.run_id FROM pgflow.start_flow(flow_slug => 'f', idempotency_key => 'k1') AS s),
          (SELECT r.run_id FROM pgflow.runs AS r WHERE r.idempotency_key = 'k1'),
  'a key used before the conversion returns its run');
SELECT is((SELECT count(*)::int FROM pgflow.start_key_locks), 1024, 'the keyed starts'' bucket rows exist');
SELECT pgflow.start_flow(flow_slug => 'f', idempotency_key => 'k2');
SELECT pgflow.start_flow(flow_slug => 'f', idempotency_key => 'k2');
SELECT is((SELECT count(*)::int FROM pgflow.runs WHERE idempotency_key = 'k2'), 1, 'a new key makes one run');
SELECT pgflow.fail_task(run_id => t.run_id, step_slug => 'a', error_message => 'boom', task_index => 0,
                        attempt => t.attempt, lease_token => t.lease_token)
  FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 1) AS t;
SELECT cmp_ok((SELECT max(a.attempt_id) FROM pgflow.task_attempts AS a), '>', (SELECT b.attempt_id FROM before AS b),
  'attempt ids continue the sequence');

SELECT throws_ok($$SELECT pgflow.partition_history()$$, '55000', 'history is partitioned already (every 1 day)',
  'a second call is refused');
SELECT is((SELECT count(*)::int FROM pg_inherits AS i WHERE i.inhparent = 'pgflow.runs'::regclass), 4,
  'and makes nothing');
SET LOCAL ROLE pgflow_reader;
SELECT is((SELECT count(*)::int FROM pgflow.runs), 2, 'a reader still reads the runs');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
