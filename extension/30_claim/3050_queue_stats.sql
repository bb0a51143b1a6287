-- The queue, per flow and step (all versions together), for dashboards and BI
-- tools as much as for the worker's metrics (pgflow worker --metrics-port):
--   queued                  tasks waiting for a claim (status queued), delayed ones included
--   claimable_now           tasks claim_tasks would hand out now, limits aside: queued ones
--                           whose delay or retry backoff has passed, and started ones whose
--                           lease expired (their next attempt)
--   delayed                 queued tasks not claimable yet (delay_seconds, retry backoff)
--   in_flight               started tasks whose lease still holds: a worker runs them, or,
--                           for a subflow step, a child run does (worker_id 'pgflow:subflow')
--   oldest_waiting_seconds  how long the oldest claimable task has been claimable; NULL
--                           when none is (a growing value: nobody claims this step)
-- Every step of every defined flow has a row, zeros when it has nothing in the
-- queue, so a gauge of a drained step reads 0 instead of disappearing. Reads the
-- two partial indexes of step_tasks (queued, started), never finished tasks.
-- Nothing is locked: a snapshot, as any SELECT.
CREATE OR REPLACE VIEW pgflow.queue_stats AS
SELECT s.flow_slug, s.step_slug,
       coalesce(q.queued, 0) AS queued,
       coalesce(q.claimable_now, 0) AS claimable_now,
       coalesce(q.delayed, 0) AS delayed,
       coalesce(q.in_flight, 0) AS in_flight,
       q.oldest_waiting_seconds
  FROM (SELECT DISTINCT st.flow_slug, st.step_slug FROM pgflow.steps AS st) AS s
  LEFT JOIN (
    SELECT t.flow_slug, t.step_slug,
           count(*) FILTER (WHERE t.status = 'queued') AS queued,
           count(*) FILTER (WHERE t.available_at <= now()) AS claimable_now,
           count(*) FILTER (WHERE t.status = 'queued' AND t.available_at > now()) AS delayed,
           count(*) FILTER (WHERE t.status = 'started' AND t.available_at > now()) AS in_flight,
           extract(epoch FROM now() - min(t.available_at) FILTER (WHERE t.available_at <= now()))::double precision
             AS oldest_waiting_seconds
      FROM (SELECT w.flow_slug, w.step_slug, w.status, w.available_at FROM pgflow.step_tasks AS w
             WHERE w.status = 'queued'
            UNION ALL
            SELECT l.flow_slug, l.step_slug, l.status, l.available_at FROM pgflow.step_tasks AS l
             WHERE l.status = 'started') AS t
     GROUP BY t.flow_slug, t.step_slug) AS q
    ON q.flow_slug = s.flow_slug AND q.step_slug = s.step_slug;
COMMENT ON VIEW pgflow.queue_stats IS
  'Per flow and step: queued, claimable now, delayed, in flight, and how long the oldest claimable task has waited (seconds).';
