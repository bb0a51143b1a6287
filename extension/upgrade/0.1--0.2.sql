-- Schema changes from 0.1 to 0.2, written by hand; the update script runs this,
-- then re-creates every function (CREATE OR REPLACE), trigger, privilege and
-- dump mark from the 0.2 sources. Whatever a fresh 0.2 install has, an updated
-- 0.1 database must have too (tests/test_upgrade.py compares the catalogs).
-- Order: tables and columns, then functions whose signature changed (dropped
-- here, so the sources can create them anew).

-- ---------------------------------------------------------------------------
-- Leases carry a token (a report counts only for the claim that made it), and
-- fan-out shards sum the size of their outputs (issue 9, items 5 and 6).
ALTER TABLE pgflow.step_tasks ADD COLUMN lease_token uuid;
COMMENT ON COLUMN pgflow.step_tasks.lease_token IS
  'Set anew by every claim (claim_tasks returns it): a report or heartbeat that passes lease_token counts only while it is the current one, so the report of a claim that was lost (say, in a crash) cannot pass for the claim that replaced it. NULL for tasks never claimed or claimed under 0.1.';
ALTER TABLE pgflow.fan_out_shards ADD COLUMN output_bytes bigint NOT NULL DEFAULT 0;
-- Fan-outs in flight: what their completed tasks stored so far counts too
-- (16: 0.1's shard count, which 0.2 keeps in pgflow._fan_out_shards()).
UPDATE pgflow.fan_out_shards AS f
   SET output_bytes = coalesce((SELECT sum(pg_column_size(t.output)) FROM pgflow.step_tasks AS t
                                 WHERE t.run_id = f.run_id AND t.step_slug = f.step_slug
                                   AND t.task_index % 16 = f.shard AND t.status = 'completed'), 0);

-- State invariants as CHECK constraints (see 0000_tables.sql for who sets each
-- status). First the rows 0.1 could leave behind that would violate them:
-- 0.1's cancel skipped task rows locked at that moment, so a stopped run may
-- still have queued or started tasks; they are cancelled, as the cancel meant.
UPDATE pgflow.step_tasks AS t SET status = 'cancelled', finished_at = coalesce(t.finished_at, now())
  FROM pgflow.runs AS r
 WHERE r.run_id = t.run_id AND r.status <> 'started' AND t.status IN ('queued', 'started');
UPDATE pgflow.step_tasks SET finished_at = now() WHERE status NOT IN ('queued', 'started') AND finished_at IS NULL;
UPDATE pgflow.step_tasks SET finished_at = NULL WHERE status IN ('queued', 'started') AND finished_at IS NOT NULL;
UPDATE pgflow.step_tasks SET output = NULL WHERE status <> 'completed' AND output IS NOT NULL;
UPDATE pgflow.step_tasks SET started_at = coalesce(started_at, queued_at), worker_id = coalesce(worker_id, 'unknown')
 WHERE status = 'started' AND (started_at IS NULL OR worker_id IS NULL);
UPDATE pgflow.step_states SET finished_at = now() WHERE status NOT IN ('created', 'started') AND finished_at IS NULL;
UPDATE pgflow.step_states SET finished_at = NULL WHERE status IN ('created', 'started') AND finished_at IS NOT NULL;
UPDATE pgflow.step_states SET started_at = created_at WHERE status = 'started' AND started_at IS NULL;
UPDATE pgflow.step_states SET output = NULL WHERE status <> 'completed' AND output IS NOT NULL;
UPDATE pgflow.step_states SET error_message = NULL WHERE status <> 'failed' AND error_message IS NOT NULL;
UPDATE pgflow.step_states SET skip_reason = NULL WHERE status <> 'skipped' AND skip_reason IS NOT NULL;
UPDATE pgflow.step_states SET skip_reason = 'skipped (no reason was recorded)'
 WHERE status = 'skipped' AND skip_reason IS NULL;
UPDATE pgflow.runs SET finished_at = now() WHERE status <> 'started' AND finished_at IS NULL;
UPDATE pgflow.runs SET finished_at = NULL WHERE status = 'started' AND finished_at IS NOT NULL;
UPDATE pgflow.runs SET output = NULL WHERE status <> 'completed' AND output IS NOT NULL;
UPDATE pgflow.runs SET error_message = NULL WHERE status NOT IN ('failed', 'cancelled') AND error_message IS NOT NULL;

ALTER TABLE pgflow.runs
  ADD CONSTRAINT runs_finished_iff_final CHECK ((status = 'started') = (finished_at IS NULL)),
  ADD CONSTRAINT runs_output_only_completed CHECK (output IS NULL OR status = 'completed'),
  ADD CONSTRAINT runs_error_only_stopped CHECK (error_message IS NULL OR status IN ('failed', 'cancelled'));
ALTER TABLE pgflow.step_states
  ADD CONSTRAINT step_states_finished_iff_final
    CHECK ((status IN ('created', 'started')) = (finished_at IS NULL)),
  ADD CONSTRAINT step_states_started_has_started_at CHECK (status <> 'started' OR started_at IS NOT NULL),
  ADD CONSTRAINT step_states_output_only_completed CHECK (output IS NULL OR status = 'completed'),
  ADD CONSTRAINT step_states_error_only_failed CHECK (error_message IS NULL OR status = 'failed'),
  ADD CONSTRAINT step_states_skip_reason_only_skipped CHECK (skip_reason IS NULL OR status = 'skipped'),
  ADD CONSTRAINT step_states_skipped_has_reason CHECK (status <> 'skipped' OR skip_reason IS NOT NULL);
ALTER TABLE pgflow.step_tasks
  ADD CONSTRAINT step_tasks_finished_iff_final
    CHECK ((status IN ('queued', 'started')) = (finished_at IS NULL)),
  ADD CONSTRAINT step_tasks_started_has_holder
    CHECK (status <> 'started' OR (attempt >= 1 AND started_at IS NOT NULL AND worker_id IS NOT NULL)),
  ADD CONSTRAINT step_tasks_output_only_completed CHECK (output IS NULL OR status = 'completed');

-- claim_tasks returns the lease token as a new last column; the reports and
-- extend_lease take it as a new last argument.
DROP FUNCTION pgflow.claim_tasks(text, int, text[], text[]);
DROP FUNCTION pgflow.complete_task(uuid, text, jsonb, int, int);
DROP FUNCTION pgflow.fail_task(uuid, text, text, int, int, text, text);
DROP FUNCTION pgflow.extend_lease(uuid, text, int, int, int);
-- Internal functions whose arguments changed, or that are gone: lease expiry is
-- _expire_lease, reports carry the lease token, _lock_run can refuse to wait.
DROP FUNCTION pgflow._time_out_task(uuid, text, int, int);
DROP FUNCTION pgflow._lock_run(uuid, text, int);
DROP FUNCTION pgflow._lock_task(pgflow.runs, text, int, int, text);
DROP FUNCTION pgflow._complete_task(pgflow.runs, text, jsonb, int, int);
DROP FUNCTION pgflow._store_fan_out_report(uuid, text, jsonb, int, int);
DROP FUNCTION pgflow._fail_attempt(pgflow.runs, pgflow.step_tasks, text, text, text);
-- _store_output returns the completed task row (NULL: refused) instead of a boolean.
DROP FUNCTION pgflow._store_output(pgflow.step_tasks, jsonb);
-- Definitions lock a row per flow slug instead of advisory
-- locks (which any role can take): one row per existing flow.
CREATE TABLE pgflow.flow_locks (
  flow_slug  text        NOT NULL PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT flow_locks_slug_format CHECK (flow_slug ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$')
);
COMMENT ON TABLE pgflow.flow_locks IS
  'One row per flow slug; locked by the definitions of the flow (create_flow, add_step, define_flow).';
INSERT INTO pgflow.flow_locks (flow_slug, created_at)
SELECT f.flow_slug, min(f.created_at) FROM pgflow.flows AS f GROUP BY f.flow_slug;
ALTER TABLE pgflow.flows
  ADD CONSTRAINT flows_flow_lock_fkey FOREIGN KEY (flow_slug) REFERENCES pgflow.flow_locks (flow_slug);

CREATE INDEX workers_last_seen_idx ON pgflow.workers (last_seen_at);

-- The web UI's keyset pagination of runs (see 0000_tables.sql).
CREATE INDEX runs_started_idx ON pgflow.runs (started_at, run_id);
CREATE INDEX runs_flow_started_idx ON pgflow.runs (flow_slug, started_at, run_id);

CREATE TABLE pgflow.flow_grants (
  flow_slug  text        NOT NULL REFERENCES pgflow.flow_locks (flow_slug) ON DELETE CASCADE,
  role_name  text        NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (flow_slug, role_name)
);
COMMENT ON TABLE pgflow.flow_grants IS
  'Which roles'' sessions may work on which flows; a session holding no grant works on every flow.';
-- Limits (issue 11): rate limits and limit keys on flows and steps; the limits
-- in force (flow_limits) and their counters; priorities and idempotency keys on
-- runs; the claim index by flow and step; run watchers.
ALTER TABLE pgflow.flows
  ADD COLUMN rate_limit int,
  ADD COLUMN rate_period int,
  ADD COLUMN limit_key text,
  ADD CONSTRAINT flows_rate_limit_bounds CHECK (rate_limit >= 1 AND rate_period >= 1),
  ADD CONSTRAINT flows_rate_limit_with_period CHECK ((rate_limit IS NULL) = (rate_period IS NULL));
COMMENT ON COLUMN pgflow.flows.rate_limit IS
  'At most rate_limit tasks of this flow (all steps) start in any rate_period-second window; NULL = unlimited.';
COMMENT ON COLUMN pgflow.flows.limit_key IS
  'A dotted path into the run input (customer.id): max_concurrency and rate_limit then hold per distinct value, and claims hand out the values in turn.';
DROP INDEX pgflow.flows_limited_idx;

ALTER TABLE pgflow.steps
  ADD COLUMN rate_limit int,
  ADD COLUMN rate_period int,
  ADD COLUMN limit_key text,
  ADD CONSTRAINT steps_rate_limit_bounds CHECK (rate_limit >= 1 AND rate_period >= 1),
  ADD CONSTRAINT steps_rate_limit_with_period CHECK ((rate_limit IS NULL) = (rate_period IS NULL));
COMMENT ON COLUMN pgflow.steps.limit_key IS
  'Like flows.limit_key, for this step''s own max_concurrency and rate_limit (which do not inherit the flow''s).';
DROP INDEX pgflow.steps_limited_idx;

ALTER TABLE pgflow.runs
  ADD COLUMN priority int NOT NULL DEFAULT 0,
  ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX runs_idempotency_key_idx ON pgflow.runs (flow_slug, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
COMMENT ON COLUMN pgflow.runs.priority IS 'Claimable tasks of higher-priority runs are claimed first (ties: oldest first).';

-- Tasks in flight keep flow_key = step_key = '' and no held counters: 0.1 had no
-- limit keys, and a task claimed before the update is not counted by the new
-- counters (as a task claimed before a limit was defined).
ALTER TABLE pgflow.step_tasks
  ADD COLUMN priority int NOT NULL DEFAULT 0,
  ADD COLUMN flow_key text NOT NULL DEFAULT '',
  ADD COLUMN step_key text NOT NULL DEFAULT '',
  ADD COLUMN held_flow_key text,
  ADD COLUMN held_step_key text;
COMMENT ON COLUMN pgflow.step_tasks.priority IS 'The run''s priority, copied so the claim index orders by it.';
COMMENT ON COLUMN pgflow.step_tasks.flow_key IS
  'The value at the flow''s limit_key in the run input ('''' without one), read when the task was created.';
COMMENT ON COLUMN pgflow.step_tasks.step_key IS 'The same for the step''s limit_key.';
COMMENT ON COLUMN pgflow.step_tasks.held_flow_key IS
  'While started: the key of the flow limit counter this claim counts in (NULL: none). See limit_counters.';
COMMENT ON COLUMN pgflow.step_tasks.held_step_key IS 'The same for the step limit counter.';
DROP INDEX pgflow.step_tasks_queued_idx;
CREATE INDEX step_tasks_claim_idx ON pgflow.step_tasks (flow_slug, step_slug, priority, flow_key, step_key, available_at)
  WHERE status = 'queued';

CREATE TABLE pgflow.flow_limits (
  flow_slug       text   NOT NULL,
  step_slug       text   NOT NULL,
  max_concurrency int,
  rate_limit      int,
  rate_period     int,
  limit_key       text[],
  PRIMARY KEY (flow_slug, step_slug)
);
COMMENT ON TABLE pgflow.flow_limits IS
  'Derived from flows and steps (the latest version of each): the limits claims enforce. step_slug '''' = the whole flow.';
CREATE TABLE pgflow.limit_counters (
  flow_slug     text          NOT NULL,
  step_slug     text          NOT NULL,
  key_value     text          NOT NULL,
  in_flight     int           NOT NULL DEFAULT 0,
  recent_starts timestamptz[] NOT NULL DEFAULT '{}',
  last_claimed_at timestamptz,
  PRIMARY KEY (flow_slug, step_slug, key_value),
  CONSTRAINT limit_counters_in_flight_bounds CHECK (in_flight >= 0)
);
CREATE TABLE pgflow.limit_releases (
  flow_slug   text        NOT NULL,
  step_slug   text        NOT NULL,
  key_value   text        NOT NULL,
  released_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE pgflow.limit_releases IS
  'A task counted in limit_counters left started (insert only, never waits); folded into in_flight by the next claim under that limit.';
CREATE INDEX limit_releases_counter_idx ON pgflow.limit_releases (flow_slug, step_slug, key_value);
CREATE TABLE pgflow.run_watchers (
  run_id     uuid        NOT NULL PRIMARY KEY REFERENCES pgflow.runs (run_id) ON DELETE CASCADE,
  watched_at timestamptz NOT NULL DEFAULT now()
);
-- The limits of 0.1 definitions, as _sync_limits writes them.
INSERT INTO pgflow.flow_limits (flow_slug, step_slug, max_concurrency)
SELECT DISTINCT ON (f.flow_slug) f.flow_slug, '', f.max_concurrency
  FROM pgflow.flows AS f ORDER BY f.flow_slug, f.version DESC;
DELETE FROM pgflow.flow_limits WHERE max_concurrency IS NULL;
INSERT INTO pgflow.flow_limits (flow_slug, step_slug, max_concurrency)
SELECT l.flow_slug, l.step_slug, l.max_concurrency
  FROM (SELECT DISTINCT ON (s.flow_slug, s.step_slug) s.flow_slug, s.step_slug, s.max_concurrency
          FROM pgflow.steps AS s ORDER BY s.flow_slug, s.step_slug, s.flow_version DESC) AS l
 WHERE l.max_concurrency IS NOT NULL;

-- Signatures that changed (re-created by the sources).
DROP FUNCTION pgflow.create_flow(text, int, int, int, int, int);
DROP FUNCTION pgflow.add_step(text, text, text[], int, int, int, int, boolean, jsonb, jsonb, text, text, int, int);
DROP FUNCTION pgflow.start_flow(text, jsonb, uuid);
DROP FUNCTION pgflow.start_flows(text, jsonb);
DROP FUNCTION pgflow._check_options(text, int, int, int, int, int, int);
DROP FUNCTION pgflow._check_step(text, text, text[], text[], int, int, int, int, boolean, jsonb, jsonb, text, text, int, int);
DROP FUNCTION pgflow._pick_within_limits(int, text[], text[]);

-- ---------------------------------------------------------------------------
-- Traces (issue 13, item 2): a run keeps the W3C trace context it was started
-- in; start_flow and start_flows take it as a new last argument. Runs of 0.1
-- have none (NULL): their attempts get a trace of their own per run.
ALTER TABLE pgflow.runs ADD COLUMN traceparent text,
  ADD CONSTRAINT runs_traceparent_format
    CHECK (traceparent IS NULL OR traceparent ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');
COMMENT ON COLUMN pgflow.runs.traceparent IS
  'The W3C trace context of the run (start_flow''s traceparent): every attempt of the run is a span of this trace, under this parent. NULL: started without one.';

-- ---------------------------------------------------------------------------
-- Signals (issue 12): signal steps wait for send_signal; the signals that
-- arrived (kept until their step is ready) and the deadlines of waiting steps.
-- 0.1 versions have no signal steps (false, NULL).
ALTER TABLE pgflow.steps
  ADD COLUMN signal boolean NOT NULL DEFAULT false,
  ADD COLUMN signal_timeout int,
  ADD CONSTRAINT steps_signal_not_fan_out CHECK (NOT (signal AND fan_out)),
  ADD CONSTRAINT steps_signal_timeout_bounds CHECK (signal_timeout >= 1),
  ADD CONSTRAINT steps_signal_timeout_only_signal CHECK (signal OR signal_timeout IS NULL);
COMMENT ON COLUMN pgflow.steps.signal IS
  'A signal step: no task and no handler; once ready it waits for send_signal, whose payload is its output. Shape.';
COMMENT ON COLUMN pgflow.steps.signal_timeout IS
  'Seconds a signal step waits once ready before it fails (when_exhausted applies); NULL = forever. A tunable: a change applies to waits that start afterwards.';
CREATE TABLE pgflow.signals (
  run_id      uuid        NOT NULL,
  step_slug   text        NOT NULL,
  payload     jsonb       NOT NULL DEFAULT 'null',
  received_at timestamptz NOT NULL DEFAULT now(),
  applied_at  timestamptz,
  PRIMARY KEY (run_id, step_slug),
  FOREIGN KEY (run_id, step_slug) REFERENCES pgflow.step_states (run_id, step_slug) ON DELETE CASCADE,
  CONSTRAINT signals_applied_after_received CHECK (applied_at >= received_at)
);
COMMENT ON TABLE pgflow.signals IS
  'The first signal sent to each signal step of a run (send_signal); applied_at NULL: kept until the step is ready.';
CREATE TABLE pgflow.signal_deadlines (
  run_id    uuid        NOT NULL,
  step_slug text        NOT NULL,
  deadline  timestamptz NOT NULL,
  PRIMARY KEY (run_id, step_slug),
  FOREIGN KEY (run_id, step_slug) REFERENCES pgflow.step_states (run_id, step_slug) ON DELETE CASCADE
);
COMMENT ON TABLE pgflow.signal_deadlines IS
  'When each waiting signal step with a signal_timeout fails (or is skipped, per when_exhausted) without a signal.';
CREATE INDEX signal_deadlines_deadline_idx ON pgflow.signal_deadlines (deadline);
-- step_shapes returns whether a step is a signal step (a worker never serves one).
DROP FUNCTION pgflow.step_shapes(text[]);

-- Subflows (issue 12): a step may name a flow whose run does its work; child
-- runs name the task of their parent they are an attempt of. 0.1 has neither:
-- nothing to backfill (every run is a root, every step a plain one).
ALTER TABLE pgflow.steps ADD COLUMN subflow text,
  ADD CONSTRAINT steps_subflow_fkey FOREIGN KEY (subflow) REFERENCES pgflow.flow_locks (flow_slug),
  ADD CONSTRAINT steps_subflow_single_dep CHECK (subflow IS NULL OR deps_count <= 1),
  ADD CONSTRAINT steps_signal_not_subflow CHECK (NOT (signal AND subflow IS NOT NULL));
COMMENT ON COLUMN pgflow.steps.subflow IS
  'A subflow step: the flow whose run (on its latest version when the step starts) does the work instead of a worker; see _start_child.';
ALTER TABLE pgflow.runs
  ADD COLUMN parent_run_id uuid,
  ADD COLUMN parent_step_slug text,
  ADD COLUMN parent_task_index int,
  ADD CONSTRAINT runs_parent_all_or_none
    CHECK ((parent_run_id IS NULL) = (parent_step_slug IS NULL) AND (parent_run_id IS NULL) = (parent_task_index IS NULL));
CREATE INDEX runs_parent_idx ON pgflow.runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
COMMENT ON COLUMN pgflow.runs.parent_run_id IS
  'A child run: the run whose subflow step started it (NULL for a run started by start_flow).';
COMMENT ON COLUMN pgflow.runs.parent_step_slug IS 'A child run: the subflow step of the parent run it works for.';
COMMENT ON COLUMN pgflow.runs.parent_task_index IS
  'A child run: the task of that step it is an attempt of (the fan-out element index; 0 for a single child).';

-- Schedules (issue 12): runs record the schedule slot they were started for
-- (0.1 runs: none), one run per slot; the schedules themselves.
ALTER TABLE pgflow.runs
  ADD COLUMN schedule_name text,
  ADD COLUMN scheduled_for timestamptz,
  ADD CONSTRAINT runs_scheduled_has_slot CHECK ((schedule_name IS NULL) = (scheduled_for IS NULL));
COMMENT ON COLUMN pgflow.runs.schedule_name IS 'The schedule whose slot started this run (tick); NULL: started otherwise.';
COMMENT ON COLUMN pgflow.runs.scheduled_for IS 'The slot (a cron time) this run was started for.';
CREATE UNIQUE INDEX runs_schedule_slot_idx ON pgflow.runs (schedule_name, scheduled_for)
  WHERE schedule_name IS NOT NULL;
CREATE TABLE pgflow.schedules (
  schedule_name text        NOT NULL PRIMARY KEY,
  flow_slug     text        NOT NULL REFERENCES pgflow.flow_locks (flow_slug) ON DELETE CASCADE,
  cron          text        NOT NULL,
  input         jsonb       NOT NULL DEFAULT '{}',
  time_zone     text        NOT NULL DEFAULT 'UTC',
  next_slot     timestamptz NOT NULL,
  last_slot     timestamptz,
  last_run_id   uuid,
  last_error    text,
  origin        text        NOT NULL DEFAULT 'sql',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT schedules_name_format CHECK (schedule_name ~ '^[A-Za-z_][A-Za-z0-9_-]{0,62}$'),
  CONSTRAINT schedules_origin_values CHECK (origin IN ('sql', 'deploy')),
  CONSTRAINT schedules_next_after_last CHECK (last_slot IS NULL OR next_slot > last_slot)
);
COMMENT ON TABLE pgflow.schedules IS
  'A flow started at each slot of a cron expression (five fields) in a time zone; see pgflow.schedule and pgflow.tick.';
COMMENT ON COLUMN pgflow.schedules.next_slot IS
  'The first slot not yet started: after the schedule was created (or its cron or time zone last changed), then after the last slot tick started.';
COMMENT ON COLUMN pgflow.schedules.last_slot IS 'The latest slot tick handled (NULL: none yet).';
COMMENT ON COLUMN pgflow.schedules.last_run_id IS 'The run tick started for last_slot (it may have been pruned since).';
COMMENT ON COLUMN pgflow.schedules.last_error IS 'Why the last slot''s run could not start (NULL: it started).';
COMMENT ON COLUMN pgflow.schedules.origin IS
  'sql: made by pgflow.schedule; deploy: made by pgflow.sync_schedules (pgflow deploy), which removes it when the code no longer has it.';
CREATE INDEX schedules_next_slot_idx ON pgflow.schedules (next_slot);

-- History in time partitions (pgflow.partition_history; opt-in, see
-- 45_history): the layout, one row once chosen. Without the row the run-keyed
-- tables are plain tables, as in 0.1. With it they are partitioned by run_id
-- (a UUIDv7, so a range of run ids is a range of start times) into sets of one
-- partition per table per partition_interval, made premake intervals ahead by
-- tick, and prune drops whole sets. Inserting the row is what converts the
-- tables (its trigger), so a restore that loads the row re-makes the layout.
CREATE TABLE pgflow.history_layout (
  singleton          boolean     NOT NULL DEFAULT true PRIMARY KEY,
  partition_interval interval    NOT NULL,
  premake            int         NOT NULL,
  partitioned_at     timestamptz NOT NULL DEFAULT now(),
  oldest_set         timestamptz,
  CONSTRAINT history_layout_one_row CHECK (singleton),
  CONSTRAINT history_layout_interval_bounds
    CHECK (partition_interval >= interval '1 hour' AND partition_interval <= interval '366 days'
           AND extract(year FROM partition_interval) = 0 AND extract(month FROM partition_interval) = 0),
  CONSTRAINT history_layout_premake_bounds CHECK (premake BETWEEN 1 AND 366)
);
COMMENT ON TABLE pgflow.history_layout IS
  'One row once pgflow.partition_history has partitioned the run-keyed tables by run_id; none: the plain layout.';
COMMENT ON COLUMN pgflow.history_layout.oldest_set IS
  'The start of the oldest partition set ever made: a restore makes the sets from there on again, and its rows go back into them.';

-- With partitioned history no unique index can hold (flow_slug,
-- idempotency_key) without run_id, so a keyed start first locks the row of its
-- key's bucket (FOR NO KEY UPDATE; hash of flow and key, 1,024 buckets), then
-- looks the key up, then inserts: two racing starts of one key are one run.
-- Row locks, not advisory locks (flow_locks says why). The rows are made by
-- the conversion and never dumped (a restore's conversion makes them).
CREATE TABLE pgflow.start_key_locks (
  bucket int NOT NULL PRIMARY KEY,
  CONSTRAINT start_key_locks_bucket_bounds CHECK (bucket BETWEEN 0 AND 1023)
);
COMMENT ON TABLE pgflow.start_key_locks IS
  'Partitioned history only: keyed starts lock their key''s bucket row, so one key makes one run.';
