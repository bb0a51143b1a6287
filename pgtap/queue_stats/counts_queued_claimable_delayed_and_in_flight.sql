BEGIN;
SELECT plan(4);
-- a: a root (3 tasks, 2 claimed); b: a root delayed by a minute; c: waits for a.
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "delay_seconds": 60},
                                                   {"slug": "c", "deps": ["a"]}]}');
SELECT pgflow.start_flows(flow_slug => 'f', inputs => '[1, 2, 3]');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 2);
-- One claimed task's lease expired 5 s ago (claimable again); the unclaimed one became claimable 30 s ago.
UPDATE pgflow.step_tasks SET available_at = now() - interval '5 seconds'
 WHERE ctid = (SELECT ctid FROM pgflow.step_tasks WHERE step_slug = 'a' AND status = 'started' LIMIT 1);
UPDATE pgflow.step_tasks SET available_at = now() - interval '30 seconds' WHERE step_slug = 'a' AND status = 'queued';

SELECT results_eq(
  $$SELECT step_slug, queued, claimable_now, delayed, in_flight, oldest_waiting_seconds
      FROM pgflow.queue_stats WHERE flow_slug = 'f' ORDER BY step_slug$$,
  $$VALUES ('a', 1::bigint, 2::bigint, 0::bigint, 1::bigint, 30::double precision),
           ('b', 3, 0, 3, 0, NULL),
           ('c', 0, 0, 0, 0, NULL)$$,
  'per step: queued, claimable now (incl. an expired lease), delayed, in flight, the oldest claimable''s wait');

SELECT pgflow.complete_task(run_id => t.run_id, step_slug => 'a', output => '1', attempt => t.attempt)
  FROM pgflow.step_tasks AS t WHERE t.step_slug = 'a' AND t.status = 'started' AND t.available_at > now();
SELECT results_eq(
  $$SELECT step_slug, queued, claimable_now, in_flight FROM pgflow.queue_stats WHERE flow_slug = 'f' ORDER BY step_slug$$,
  $$VALUES ('a', 1::bigint, 2::bigint, 0::bigint), ('b', 3, 0, 0), ('c', 1, 1, 0)$$,
  'a completion moves the task out of flight and queues its dependent');

SELECT pgflow.cancel_run(run_id => r.run_id) FROM pgflow.runs AS r;
SELECT is((SELECT sum(queued + claimable_now + delayed + in_flight) FROM pgflow.queue_stats), 0::numeric,
  'cancelled runs leave nothing in the queue');

SET LOCAL ROLE pgflow_reader;
SELECT is((SELECT count(*) FROM pgflow.queue_stats), 3::bigint, 'pgflow_reader reads it (a BI tool''s role)');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
