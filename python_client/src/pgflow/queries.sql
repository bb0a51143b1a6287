-- Every SQL statement the Python client sends. Each one starts with a line
-- "-- name: <query_name>" and a line "-- <what it does>", and is called by
-- that name (pgflow.queries). Parameters are psycopg placeholders, never text
-- pasted into the statement. Functions are called with named arguments, as
-- the SQL contract documents them.

-- name: define_flow
-- Define a flow from a define_flow document (new version, replacement, or tunables update)
SELECT f.flow_slug, f.version
  FROM pgflow.define_flow(definition => %(definition)s) AS f;

-- name: flow_definition
-- The stored definition of a flow version (the latest when version is NULL), as a define_flow document
SELECT pgflow.flow_definition(flow_slug => %(flow_slug)s, version => %(version)s::int) AS definition;

-- name: start_flow
-- Start a run of the latest version of a flow (idempotent on run_id)
SELECT r.run_id, r.flow_slug, r.flow_version, r.status, r.input, r.output, r.error_message,
       r.started_at, r.finished_at
  FROM pgflow.start_flow(flow_slug => %(flow_slug)s, input => %(input)s, run_id => %(run_id)s::uuid) AS r;

-- name: get_run
-- One run, by id
SELECT r.run_id, r.flow_slug, r.flow_version, r.status, r.input, r.output, r.error_message,
       r.started_at, r.finished_at
  FROM pgflow.runs AS r
 WHERE r.run_id = %(run_id)s::uuid;

-- name: get_step_states
-- The steps of a run in topological order, with their dependencies and a summary of their tasks
SELECT ss.step_slug, ss.status, ss.output, ss.error_message, ss.skip_reason,
       ss.created_at, ss.started_at, ss.finished_at,
       s.step_index, s.fan_out,
       coalesce((SELECT array_agg(d.dep_slug ORDER BY d.dep_slug) FROM pgflow.deps AS d
                  WHERE d.flow_slug = s.flow_slug AND d.flow_version = s.flow_version
                    AND d.step_slug = s.step_slug), '{}') AS deps,
       count(t.task_index)::int AS tasks,
       (count(t.task_index) FILTER (WHERE t.status = 'completed'))::int AS tasks_completed,
       coalesce(max(t.attempt), 0) AS max_attempt,
       coalesce(sum(t.attempt), 0)::int AS attempts,
       (array_agg(t.error_message ORDER BY t.task_index) FILTER (WHERE t.error_message IS NOT NULL))[1]
         AS last_task_error,
       (array_agg(t.worker_id ORDER BY t.task_index) FILTER (WHERE t.worker_id IS NOT NULL))[1] AS worker_id
  FROM pgflow.step_states AS ss
  JOIN pgflow.runs AS r ON r.run_id = ss.run_id
  JOIN pgflow.steps AS s
    ON s.flow_slug = r.flow_slug AND s.flow_version = r.flow_version AND s.step_slug = ss.step_slug
  LEFT JOIN pgflow.step_tasks AS t ON t.run_id = ss.run_id AND t.step_slug = ss.step_slug
 WHERE ss.run_id = %(run_id)s::uuid
 GROUP BY ss.run_id, ss.step_slug, s.flow_slug, s.flow_version, s.step_slug, s.step_index, s.fan_out
 ORDER BY s.step_index;

-- name: recent_runs
-- The most recent runs, optionally of one flow and/or with one status
SELECT r.run_id, r.flow_slug, r.flow_version, r.status, r.input, r.output, r.error_message,
       r.started_at, r.finished_at
  FROM pgflow.runs AS r
 WHERE (%(flow_slug)s::text IS NULL OR r.flow_slug = %(flow_slug)s::text)
   AND (%(status)s::text IS NULL OR r.status = %(status)s::text)
 ORDER BY r.started_at DESC, r.run_id
 LIMIT %(limit)s;

-- name: run_input
-- The input of a run, for fan-out handlers that ask for `run` (fan-out task inputs do not carry it)
SELECT r.input FROM pgflow.runs AS r WHERE r.run_id = %(run_id)s::uuid;

-- name: claim_tasks
-- Claim up to max_tasks claimable tasks of the given flows, with the database clock at the claim
SELECT c.run_id, c.flow_slug, c.step_slug, c.task_index, c.attempt, c.input, c.flow_version,
       c.lease_expires_at, now() AS claimed_at
  FROM pgflow.claim_tasks(worker_id => %(worker_id)s, max_tasks => %(max_tasks)s,
                          flow_slugs => %(flow_slugs)s::text[]) AS c;

-- name: complete_task
-- Report the output of a claimed attempt (a stale attempt is ignored with a NOTICE)
SELECT t.status, t.attempt
  FROM pgflow.complete_task(run_id => %(run_id)s::uuid, step_slug => %(step_slug)s, output => %(output)s,
                            task_index => %(task_index)s, attempt => %(attempt)s) AS t;

-- name: fail_task
-- Report that a claimed attempt failed (retried with backoff, or the step's when_exhausted policy)
SELECT t.status, t.attempt
  FROM pgflow.fail_task(run_id => %(run_id)s::uuid, step_slug => %(step_slug)s,
                        error_message => %(error_message)s, task_index => %(task_index)s,
                        attempt => %(attempt)s) AS t;

-- name: extend_lease
-- Heartbeat of a long task: a fresh full lease, or NULL when this attempt no longer holds the task
SELECT pgflow.extend_lease(run_id => %(run_id)s::uuid, step_slug => %(step_slug)s,
                           task_index => %(task_index)s, attempt => %(attempt)s) AS lease_expires_at;

-- name: listen_tasks
-- Subscribe to wake-ups when tasks become claimable (payload: the flow slug)
LISTEN pgflow_tasks;

-- name: listen_runs
-- Subscribe to run completions and failures (payload: the run id)
LISTEN pgflow_runs;
