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
-- Start a run of the latest version of a flow (idempotent on run_id and on idempotency_key), with a priority, in the caller's trace (W3C traceparent, or NULL)
SELECT r.run_id, r.flow_slug, r.flow_version, r.status, r.input, r.output, r.error_message,
       r.started_at, r.finished_at, r.traceparent
  FROM pgflow.start_flow(flow_slug => %(flow_slug)s, input => %(input)s, run_id => %(run_id)s::uuid,
                         idempotency_key => %(idempotency_key)s::text, priority => %(priority)s::int,
                         traceparent => %(traceparent)s::text) AS r;

-- name: start_flow_routed
-- start_flow with a run id chosen here: the form Citus routes to the node of the run (without Citus the same as start_flow)
SELECT r.run_id, r.flow_slug, r.flow_version, r.status, r.input, r.output, r.error_message,
       r.started_at, r.finished_at, r.traceparent
  FROM pgflow.start_flow_routed(run_id => %(run_id)s::uuid, flow_slug => %(flow_slug)s, input => %(input)s,
                                idempotency_key => %(idempotency_key)s::text, priority => %(priority)s::int,
                                traceparent => %(traceparent)s::text) AS r;

-- name: start_flows
-- Start one run per input of a JSON array, in one call and one transaction (bulk starts), all in the caller's trace
SELECT r.run_id, r.flow_slug, r.flow_version, r.status, r.input, r.output, r.error_message,
       r.started_at, r.finished_at, r.traceparent
  FROM pgflow.start_flows(flow_slug => %(flow_slug)s, inputs => %(inputs)s,
                          idempotency_keys => %(idempotency_keys)s::text[], priority => %(priority)s::int,
                          traceparent => %(traceparent)s::text) AS r;

-- name: get_run
-- One run, by id
SELECT r.run_id, r.flow_slug, r.flow_version, r.status, r.input, r.output, r.error_message,
       r.started_at, r.finished_at, r.traceparent, r.parent_run_id, r.parent_step_slug, r.parent_task_index,
       r.schedule_name, r.scheduled_for
  FROM pgflow.runs AS r
 WHERE r.run_id = %(run_id)s::uuid;

-- name: run_tree
-- A run's descendants through subflow steps (its child runs, theirs, ...), depth-first, each level by step, task index and start
WITH RECURSIVE tree AS (
  SELECT c.run_id, c.flow_slug, c.flow_version, c.status, c.input, c.output, c.error_message, c.started_at,
         c.finished_at, c.traceparent, c.parent_run_id, c.parent_step_slug, c.parent_task_index, 1 AS depth,
         ARRAY[c.parent_step_slug || '/' || lpad(c.parent_task_index::text, 10, '0') || '/'
               || to_char(c.started_at, 'YYYYMMDDHH24MISSUS') || '/' || c.run_id::text] AS path
    FROM pgflow.runs AS c
   WHERE c.parent_run_id = %(run_id)s::uuid
  UNION ALL
  SELECT c.run_id, c.flow_slug, c.flow_version, c.status, c.input, c.output, c.error_message, c.started_at,
         c.finished_at, c.traceparent, c.parent_run_id, c.parent_step_slug, c.parent_task_index, t.depth + 1,
         t.path || (c.parent_step_slug || '/' || lpad(c.parent_task_index::text, 10, '0') || '/'
                    || to_char(c.started_at, 'YYYYMMDDHH24MISSUS') || '/' || c.run_id::text)
    FROM tree AS t
    JOIN pgflow.runs AS c ON c.parent_run_id = t.run_id
   WHERE t.depth < 32)
SELECT t.run_id, t.flow_slug, t.flow_version, t.status, t.input, t.output, t.error_message, t.started_at,
       t.finished_at, t.traceparent, t.parent_run_id, t.parent_step_slug, t.parent_task_index, t.depth
  FROM tree AS t
 ORDER BY t.path;

-- name: get_step_states
-- The steps of a run in topological order, with their dependencies, a summary of their tasks, and a signal step's deadline
SELECT ss.step_slug, ss.status, ss.output, ss.error_message, ss.skip_reason,
       ss.created_at, ss.started_at, ss.finished_at,
       s.step_index, s.fan_out, s.subflow,
       coalesce((SELECT array_agg(d.dep_slug ORDER BY d.dep_slug) FROM pgflow.deps AS d
                  WHERE d.flow_slug = s.flow_slug AND d.flow_version = s.flow_version
                    AND d.step_slug = s.step_slug), '{}') AS deps,
       count(t.task_index)::int AS tasks,
       (count(t.task_index) FILTER (WHERE t.status = 'completed'))::int AS tasks_completed,
       coalesce(max(t.attempt), 0) AS max_attempt,
       coalesce(sum(t.attempt), 0)::int AS attempts,
       (array_agg(t.error_message ORDER BY t.task_index) FILTER (WHERE t.error_message IS NOT NULL))[1]
         AS last_task_error,
       (array_agg(t.worker_id ORDER BY t.task_index) FILTER (WHERE t.worker_id IS NOT NULL))[1] AS worker_id,
       (count(t.task_index) FILTER (WHERE t.status = 'started'))::int AS tasks_running,
       min(t.available_at) FILTER (WHERE t.status = 'queued') AS next_available_at,
       -- attempts made (since the last retry_run) by the queued task that comes back first: > 0 means a retry
       coalesce((array_agg(t.attempt - t.attempts_before_retry ORDER BY t.available_at)
                  FILTER (WHERE t.status = 'queued'))[1], 0) AS queued_attempts_made,
       coalesce(s.max_attempts, f.max_attempts) AS max_attempts,
       -- a subflow task between two child runs (its retry backoff): started, held by no child yet
       min(t.available_at) FILTER (WHERE t.status = 'started' AND t.worker_id = 'pgflow:subflow'
                                     AND t.lease_token IS NULL) AS next_child_at,
       coalesce((array_agg(t.attempt - t.attempts_before_retry ORDER BY t.available_at)
                  FILTER (WHERE t.status = 'started' AND t.worker_id = 'pgflow:subflow'
                            AND t.lease_token IS NULL))[1], 0) AS next_child_attempt,
       now() AS checked_at,
       s.signal,
       (SELECT d.deadline FROM pgflow.signal_deadlines AS d
         WHERE d.run_id = ss.run_id AND d.step_slug = ss.step_slug) AS signal_deadline
  FROM pgflow.step_states AS ss
  JOIN pgflow.runs AS r ON r.run_id = ss.run_id
  JOIN pgflow.steps AS s
    ON s.flow_slug = r.flow_slug AND s.flow_version = r.flow_version AND s.step_slug = ss.step_slug
  JOIN pgflow.flows AS f ON f.flow_slug = s.flow_slug AND f.version = s.flow_version
  LEFT JOIN pgflow.step_tasks AS t ON t.run_id = ss.run_id AND t.step_slug = ss.step_slug
 WHERE ss.run_id = %(run_id)s::uuid
 GROUP BY ss.run_id, ss.step_slug, s.flow_slug, s.flow_version, s.step_slug, s.step_index, s.fan_out,
          s.subflow, s.max_attempts, f.max_attempts, s.signal
 ORDER BY s.step_index;

-- name: send_signal
-- Deliver a signal to a signal step of a run: completes the waiting step with the payload (or keeps it until the step is ready); returns the step
SELECT ss.step_slug, ss.status, ss.output
  FROM pgflow.send_signal(run_id => %(run_id)s::uuid, step_slug => %(step_slug)s, payload => %(payload)s) AS ss;

-- name: get_failed_attempts
-- Every failed attempt of a run's tasks, oldest first: when, where, the error's type, message and details
SELECT a.step_slug, a.task_index, a.attempt, a.worker_id, a.started_at, a.failed_at,
       a.error_type, a.error_message, a.error_details
  FROM pgflow.task_attempts AS a
 WHERE a.run_id = %(run_id)s::uuid
 ORDER BY a.failed_at, a.attempt_id;

-- name: get_unserved_steps
-- Steps of a run with tasks claimable now (not delayed, no live lease) that no live worker (seen within max_age) serves
SELECT t.flow_slug, t.flow_version, t.step_slug, count(*)::int AS tasks
  FROM pgflow.step_tasks AS t
 WHERE t.run_id = %(run_id)s::uuid
   AND t.status IN ('queued', 'started') AND t.available_at <= now()  -- claimable now (not delayed, not leased)
   AND NOT EXISTS (
         SELECT 1 FROM pgflow.workers AS w
          WHERE w.last_seen_at > now() - %(max_age)s::interval
            AND (w.step_keys IS NULL OR t.flow_slug || '/' || t.flow_version || '/' || t.step_slug = ANY (w.step_keys)))
 GROUP BY t.flow_slug, t.flow_version, t.step_slug
 ORDER BY t.step_slug;

-- name: recent_runs
-- The most recent runs, optionally of one flow and/or with one status, with the parent of a child run
SELECT r.run_id, r.flow_slug, r.flow_version, r.status, r.input, r.output, r.error_message,
       r.started_at, r.finished_at, r.parent_run_id, r.parent_step_slug, r.parent_task_index
  FROM pgflow.runs AS r
 WHERE (%(flow_slug)s::text IS NULL OR r.flow_slug = %(flow_slug)s::text)
   AND (%(status)s::text IS NULL OR r.status = %(status)s::text)
 ORDER BY r.started_at DESC, r.run_id
 LIMIT %(limit)s;

-- name: list_flows
-- Every deployed flow: its latest version, how many versions, steps and runs it has, when it was last defined
-- (Joins of grouped counts, not correlated subqueries: Citus plans those over its reference tables.)
SELECT f.flow_slug, f.version AS latest_version, v.versions,
       coalesce(s.steps, 0) AS steps, coalesce(r.runs, 0) AS runs, f.created_at
  FROM pgflow.flows AS f
  JOIN (SELECT x.flow_slug, max(x.version) AS latest, count(*)::int AS versions
          FROM pgflow.flows AS x GROUP BY x.flow_slug) AS v ON v.flow_slug = f.flow_slug AND v.latest = f.version
  LEFT JOIN (SELECT x.flow_slug, x.flow_version, count(*)::int AS steps
               FROM pgflow.steps AS x GROUP BY x.flow_slug, x.flow_version) AS s
    ON s.flow_slug = f.flow_slug AND s.flow_version = f.version
  LEFT JOIN (SELECT x.flow_slug, count(*)::int AS runs
               FROM pgflow.runs AS x
              WHERE (%(flow_slug)s::text IS NULL OR x.flow_slug = %(flow_slug)s::text)
              GROUP BY x.flow_slug) AS r ON r.flow_slug = f.flow_slug
 WHERE (%(flow_slug)s::text IS NULL OR f.flow_slug = %(flow_slug)s::text)
 ORDER BY f.flow_slug;

-- name: list_workers
-- The workers that announced themselves: what they serve (NULL: everything of their flows), whether idle, last seen
SELECT w.worker_id, w.step_keys, w.idle, w.started_at, w.last_seen_at, now() - w.last_seen_at AS last_seen_ago,
       w.last_seen_at > now() - %(max_age)s::interval AS live
  FROM pgflow.workers AS w
 ORDER BY w.last_seen_at DESC, w.worker_id;

-- name: run_input
-- The input of a run as JSON text, for fan-out handlers that ask for `run` (fan-out task inputs do not carry it)
SELECT pgflow.run_input(run_id => %(run_id)s::uuid)::text AS input;

-- name: run_traceparent
-- The W3C trace context a run was started in (NULL: none), for the spans of its attempts; fetched once per run
SELECT pgflow.run_traceparent(run_id => %(run_id)s::uuid) AS traceparent;

-- name: queue_stats
-- The queue per flow and step (queued, claimable now, delayed, in flight, oldest wait), for the worker's metrics
SELECT q.flow_slug, q.step_slug, q.queued, q.claimable_now, q.delayed, q.in_flight, q.oldest_waiting_seconds
  FROM pgflow.queue_stats AS q
 ORDER BY q.flow_slug, q.step_slug;

-- name: flow_step_shapes
-- The steps of every version of the given flows, with what version routing compares: dependencies, fan-out, signal
SELECT flow_slug, flow_version, step_slug, fan_out, deps, signal
  FROM pgflow.step_shapes(flow_slugs => %(flow_slugs)s::text[]);

-- name: worker_heartbeat
-- Announce that this worker is alive, which steps (flow_slug/version/step_slug) its code serves, and whether it waits for work
SELECT pgflow.worker_heartbeat(worker_id => %(worker_id)s, step_keys => %(step_keys)s::text[], idle => %(idle)s);

-- name: claim_tasks
-- Claim up to max_tasks claimable tasks of the steps this worker serves, with the database clock at the claim (inputs as JSON text, parsed per task)
SELECT c.run_id, c.flow_slug, c.step_slug, c.task_index, c.attempt, c.input::text AS input_json, c.flow_version,
       c.lease_expires_at, now() AS claimed_at, c.lease_token
  FROM pgflow.claim_tasks(worker_id => %(worker_id)s, max_tasks => %(max_tasks)s,
                          flow_slugs => %(flow_slugs)s::text[], step_keys => %(step_keys)s::text[]) AS c;

-- name: claim_node_tasks
-- claim_tasks on the Citus node that holds the shard of route (a route of citus_routes), from that node's shards only
SELECT c.run_id, c.flow_slug, c.step_slug, c.task_index, c.attempt, c.input::text AS input_json, c.flow_version,
       c.lease_expires_at, now() AS claimed_at, c.lease_token
  FROM pgflow.claim_node_tasks(route => %(route)s::uuid, worker_id => %(worker_id)s, max_tasks => %(max_tasks)s,
                               flow_slugs => %(flow_slugs)s::text[], step_keys => %(step_keys)s::text[]) AS c;

-- name: citus_routes
-- One claim route per Citus node holding pgflow's runs (no rows: not on Citus, claim_tasks serves)
SELECT r.route, r.node_name, r.node_port FROM pgflow.citus_routes() AS r ORDER BY r.node_name, r.node_port;

-- name: distribute
-- Distribute pgflow's tables and hot-path functions over a Citus cluster (run on the coordinator); what it did, one line per object
SELECT d AS change FROM pgflow.distribute() AS d;

-- name: complete_task
-- Report the output of a claimed attempt, under its claim's lease token (stale: ignored with a NOTICE; too large: the attempt fails); the task as it stands, with the lease token of the claim that holds it
SELECT t.status, t.attempt, t.error_message, t.lease_token
  FROM pgflow.complete_task(run_id => %(run_id)s::uuid, step_slug => %(step_slug)s, output => %(output)s,
                            task_index => %(task_index)s, attempt => %(attempt)s,
                            lease_token => %(lease_token)s::uuid) AS t;

-- name: complete_tasks
-- Report the outputs of several claimed attempts in one transaction, one row per report in order (as complete_task's)
SELECT t.status, t.attempt, t.error_message, t.lease_token
  FROM pgflow.complete_tasks(tasks => %(tasks)s) WITH ORDINALITY AS t
 ORDER BY t.ordinality;

-- name: fail_task
-- Report that a claimed attempt failed, with the error's type and details (e.g. a traceback); when a retry becomes claimable
SELECT t.status, t.attempt, t.available_at
  FROM pgflow.fail_task(run_id => %(run_id)s::uuid, step_slug => %(step_slug)s,
                        error_message => %(error_message)s, task_index => %(task_index)s,
                        attempt => %(attempt)s, error_type => %(error_type)s,
                        error_details => %(error_details)s, lease_token => %(lease_token)s::uuid) AS t;

-- name: extend_lease
-- Heartbeat of a long task: a fresh full lease, or NULL when this attempt no longer holds the task
SELECT pgflow.extend_lease(run_id => %(run_id)s::uuid, step_slug => %(step_slug)s,
                           task_index => %(task_index)s, attempt => %(attempt)s,
                           lease_token => %(lease_token)s::uuid) AS lease_expires_at;

-- name: listen_tasks
-- Subscribe to wake-ups when tasks become claimable, and to new definitions (payload: the flow slug)
LISTEN pgflow_tasks; LISTEN pgflow_definitions;

-- name: listen_probe
-- The listen self-test's channel (payload: a token of the worker testing): first, so a LISTEN stranded in a transaction pooler's server connection is only this one
LISTEN pgflow_probe;

-- name: unlisten_all
-- The self-test failed (behind a transaction pooler): drop what this session listens to, as far as it still reaches that server connection
UNLISTEN *;

-- name: notify_probe
-- The listen self-test: a notification the worker's listen connection must receive (sent from another session: a backend's own notifications reach it even through a transaction pooler)
SELECT pg_catalog.pg_notify('pgflow_probe', %(token)s);

-- name: backend_pid
-- The server process of this session: a connection pooler hands out a backend key of its own, so a pooled connection's differs
SELECT pg_catalog.pg_backend_pid();

-- name: listen_runs
-- Subscribe to run completions and failures (payload: the run id) of the runs this session watches
LISTEN pgflow_runs;

-- name: watch_run
-- Ask for this run's end to be notified on pgflow_runs (after LISTEN); the run as it is now
SELECT r.run_id, r.flow_slug, r.flow_version, r.status, r.input, r.output, r.error_message,
       r.started_at, r.finished_at
  FROM pgflow.watch_run(run_id => %(run_id)s::uuid) AS r;

-- name: install_lock
-- Serialize concurrent installs of pgflow in this database (held until the transaction ends)
SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pgflow install'));

-- name: installed_extension
-- The version of the pgflow extension installed in this database (no row: not installed as an extension)
SELECT e.extversion FROM pg_catalog.pg_extension AS e WHERE e.extname = 'pgflow';

-- name: installed_schema
-- Whether the schema pgflow exists, and whether it holds pgflow's tables (a plain install)
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace AS n WHERE n.nspname = 'pgflow') AS has_schema,
       pg_catalog.to_regclass('pgflow.runs') IS NOT NULL AS has_tables;

-- name: available_extension
-- The default version of the pgflow extension when its files are installed on the server (no row: they are not)
SELECT a.default_version FROM pg_catalog.pg_available_extensions AS a WHERE a.name = 'pgflow';

-- name: has_version_function
-- Whether pgflow.version() exists (it appeared in 0.2: plain objects without it are 0.1)
SELECT pg_catalog.to_regprocedure('pgflow.version()') IS NOT NULL;

-- name: version
-- The version of pgflow's SQL in this database
SELECT pgflow.version();

-- name: update_extension
-- Update the pgflow extension to the default version of the server's files (with runs in flight)
ALTER EXTENSION pgflow UPDATE;

-- name: create_extension
-- Install pgflow as an extension (its files are on the server)
CREATE EXTENSION pgflow;

-- name: create_schema
-- The schema of a plain install (managed Postgres without the extension files); the install script follows
CREATE SCHEMA pgflow;

-- name: prune
-- Delete one bounded batch of runs finished more than older_than ago; returns the rows removed (0: done)
SELECT pgflow.prune(older_than => %(older_than)s::interval, batch_size => %(batch_size)s) AS removed;

-- name: retry_run
-- Re-drive a failed or cancelled run from where it broke (completed steps keep their outputs)
SELECT r.run_id, r.flow_slug, r.status FROM pgflow.retry_run(run_id => %(run_id)s::uuid) AS r;

-- name: cancel_run
-- Cancel a started run and its unfinished steps (a finished run is left as it is, with a NOTICE)
SELECT r.run_id, r.flow_slug, r.status, r.error_message
  FROM pgflow.cancel_run(run_id => %(run_id)s::uuid, reason => %(reason)s) AS r;

-- name: runs_progress
-- The steps of some runs, for live progress: status, attempts so far and the latest error of each step, whether it is a signal step
SELECT r.run_id, r.flow_slug, r.status AS run_status, ss.step_slug, ss.status,
       coalesce(max(t.attempt), 0) AS attempt,
       (SELECT coalesce(a.error_type || ': ', '') || a.error_message FROM pgflow.task_attempts AS a
         WHERE a.run_id = ss.run_id AND a.step_slug = ss.step_slug
         ORDER BY a.attempt_id DESC LIMIT 1) AS last_error,
       count(t.task_index)::int AS tasks,
       (count(t.task_index) FILTER (WHERE t.status = 'completed'))::int AS tasks_completed,
       s.signal
  FROM pgflow.runs AS r
  JOIN pgflow.step_states AS ss ON ss.run_id = r.run_id
  JOIN pgflow.steps AS s
    ON s.flow_slug = r.flow_slug AND s.flow_version = r.flow_version AND s.step_slug = ss.step_slug
  LEFT JOIN pgflow.step_tasks AS t ON t.run_id = ss.run_id AND t.step_slug = ss.step_slug
 WHERE r.run_id = ANY (%(run_ids)s::uuid[])
 GROUP BY r.run_id, ss.run_id, ss.step_slug, s.step_index, s.signal
 ORDER BY r.started_at, r.run_id, s.step_index;

-- name: run_steps_summary
-- What happened to a run, in one SELECT (the query the demo prints for users to run themselves)
SELECT step_slug, status, output FROM pgflow.step_states WHERE run_id = %(run_id)s::uuid ORDER BY started_at NULLS LAST, step_slug;


-- name: ui_runs_page
-- A page of runs newest first, filtered, by keyset: runs started before the (started_at, run_id) of the last row shown
SELECT r.run_id, r.flow_slug, r.flow_version, r.status, r.input, r.output, r.error_message,
       r.started_at, r.finished_at
  FROM pgflow.runs AS r
 WHERE (%(flow_slug)s::text IS NULL OR r.flow_slug = %(flow_slug)s::text)
   AND (%(status)s::text IS NULL OR r.status = %(status)s::text)
   AND (%(since)s::timestamptz IS NULL OR r.started_at >= %(since)s::timestamptz)
   AND (r.started_at, r.run_id) < (coalesce(%(before_started_at)s::timestamptz, %(until)s::timestamptz, 'infinity'),
                                   coalesce(%(before_run_id)s::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
 ORDER BY r.started_at DESC, r.run_id DESC
 LIMIT %(limit)s;

-- name: ui_runs_by_key
-- Runs whose idempotency key is the given text (none where runs have no idempotency_key column), newest first
SELECT r.run_id, r.flow_slug, r.flow_version, r.status, r.input, r.output, r.error_message,
       r.started_at, r.finished_at
  FROM pgflow.runs AS r
 WHERE to_jsonb(r) ->> 'idempotency_key' = %(key)s::text
 ORDER BY r.started_at DESC, r.run_id DESC
 LIMIT %(limit)s;

-- name: ui_flows
-- Every flow version with its step count, options and number of runs, newest version first
SELECT f.flow_slug, f.version, f.max_attempts, f.base_delay, f.timeout, f.max_concurrency, f.created_at,
       (SELECT count(*)::int FROM pgflow.steps AS s
         WHERE s.flow_slug = f.flow_slug AND s.flow_version = f.version) AS steps,
       EXISTS (SELECT 1 FROM pgflow.runs AS r
                WHERE r.flow_slug = f.flow_slug AND r.flow_version = f.version) AS has_runs
  FROM pgflow.flows AS f
 ORDER BY f.flow_slug, f.version DESC;

-- name: ui_flow_steps
-- The steps of one flow version in topological order, with their dependencies (to draw its graph)
SELECT s.step_slug, s.step_index, s.fan_out,
       coalesce((SELECT array_agg(d.dep_slug ORDER BY d.dep_slug) FROM pgflow.deps AS d
                  WHERE d.flow_slug = s.flow_slug AND d.flow_version = s.flow_version
                    AND d.step_slug = s.step_slug), '{}') AS deps
  FROM pgflow.steps AS s
 WHERE s.flow_slug = %(flow_slug)s AND s.flow_version = %(version)s::int
 ORDER BY s.step_index;

-- name: ui_workers
-- Workers that sent a heartbeat, most recently seen first: what each serves and whether it waits for work
SELECT w.worker_id, w.step_keys, w.idle, w.started_at, w.last_seen_at, now() - w.last_seen_at AS last_seen_ago,
       w.last_seen_at > now() - interval '30 seconds' AS live
  FROM pgflow.workers AS w
 ORDER BY w.last_seen_at DESC, w.worker_id
 LIMIT %(limit)s;

-- name: ui_queue
-- Unfinished tasks per flow and step: queued, claimable now, delayed (or backing off), in flight, the oldest waiting
SELECT t.flow_slug, t.step_slug,
       (count(*) FILTER (WHERE t.status = 'queued'))::int AS queued,
       (count(*) FILTER (WHERE t.status = 'queued' AND t.available_at <= now()))::int AS claimable,
       (count(*) FILTER (WHERE t.status = 'queued' AND t.available_at > now()))::int AS delayed,
       (count(*) FILTER (WHERE t.status = 'started'))::int AS in_flight,
       min(t.queued_at) FILTER (WHERE t.status = 'queued' AND t.available_at <= now()) AS oldest_waiting_since
  FROM pgflow.step_tasks AS t
 WHERE t.status IN ('queued', 'started')
 GROUP BY t.flow_slug, t.step_slug
 ORDER BY t.flow_slug, t.step_slug;

-- name: ui_run_fingerprints
-- A fingerprint of each given run's state (run, steps, tasks, attempts): it changes whenever any of them does
SELECT r.run_id,
       md5(r.status || coalesce(r.finished_at::text, '') || ':' ||
           coalesce((SELECT string_agg(ss.step_slug || '=' || ss.status, ',' ORDER BY ss.step_slug)
                       FROM pgflow.step_states AS ss WHERE ss.run_id = r.run_id), '') || ':' ||
           coalesce((SELECT string_agg(t.step_slug || '/' || t.task_index || '=' || t.status || '@' || t.attempt,
                                       ',' ORDER BY t.step_slug, t.task_index)
                       FROM pgflow.step_tasks AS t WHERE t.run_id = r.run_id), '') || ':' ||
           (SELECT count(*) FROM pgflow.task_attempts AS a WHERE a.run_id = r.run_id)) AS fingerprint
  FROM pgflow.runs AS r
 WHERE r.run_id = ANY (%(run_ids)s::uuid[]);

-- name: ui_can_operate
-- Whether the current role may retry and cancel runs (pgflow_admin, a superuser), or only read (pgflow_reader)
SELECT has_function_privilege('pgflow.retry_run(uuid)', 'EXECUTE')
       AND has_function_privilege('pgflow.cancel_run(uuid, text)', 'EXECUTE') AS can_operate;

-- name: ui_listen
-- Subscribe to what the web UI's live pages follow: claimable tasks (payload: a flow slug) and finished runs (a run id)
LISTEN pgflow_tasks; LISTEN pgflow_runs;

-- name: ui_run_waits
-- What each unfinished step of a run waits for: tasks claimable now, waiting out a delay or a retry backoff (until when), running
SELECT t.step_slug,
       (count(*) FILTER (WHERE t.status = 'queued' AND t.available_at <= now()))::int AS claimable,
       (count(*) FILTER (WHERE t.status = 'queued' AND t.available_at > now()))::int AS waiting,
       min(t.available_at) FILTER (WHERE t.status = 'queued' AND t.available_at > now()) AS waiting_until,
       (count(*) FILTER (WHERE t.status = 'started'))::int AS running,
       bool_or(t.attempt > 0 AND t.status = 'queued') AS retrying
  FROM pgflow.step_tasks AS t
 WHERE t.run_id = %(run_id)s::uuid AND t.status IN ('queued', 'started')
 GROUP BY t.step_slug;

-- name: sync_schedules
-- Make a flow's deployed schedules those of its code (created, updated, unchanged, removed; hand-made ones kept)
SELECT s.schedule_name, s.action
  FROM pgflow.sync_schedules(flow_slug => %(flow_slug)s, schedules => %(schedules)s) AS s;

-- name: list_schedules
-- Every schedule (or one flow's): its cron, zone, input, next slot, and the last slot with its run's status
SELECT s.schedule_name, s.flow_slug, s.cron, s.time_zone, s.input, s.origin,
       nullif(s.next_slot, 'infinity') AS next_slot, s.last_slot, s.last_run_id,
       r.status AS last_run_status, s.last_error, s.created_at, s.updated_at
  FROM pgflow.schedules AS s
  LEFT JOIN pgflow.runs AS r ON r.run_id = s.last_run_id
 WHERE (%(flow_slug)s::text IS NULL OR s.flow_slug = %(flow_slug)s::text)
 ORDER BY s.flow_slug, s.schedule_name;

-- name: tick
-- Start the runs of the schedule slots that are due (exactly once per slot); nothing due: one index probe
SELECT r.run_id, r.flow_slug, r.schedule_name, r.scheduled_for
  FROM pgflow.tick() AS r;

-- name: tick_at
-- Start the runs of the schedule slots due at a given time (a pgflow_admin may tick ahead of the clock: the demo does)
SELECT r.run_id, r.flow_slug, r.schedule_name, r.scheduled_for
  FROM pgflow.tick(at => %(at)s) AS r;
