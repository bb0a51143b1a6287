-- pgflow's state is plain tables, readable with one SELECT.
--
-- Definitions: flows (one row per version), steps, deps. A version's shape
-- (steps, deps, fan_out, conditions and their policies) is frozen once it has a
-- run; the guard triggers in 10_define enforce that. Options left NULL on a step
-- inherit the flow's value at claim time, so tunables apply from the next claim.
--
-- Runtime: runs -> step_states -> step_tasks. Counters (remaining_steps,
-- remaining_deps, remaining_tasks) are CHECKed non-negative and each changes in
-- exactly one function.

-- Lock order (the one place it is written; other headers refer here):
--   flow lock row (flow_locks; definitions only) -> run row (FOR NO KEY UPDATE)
--   -> fan-out counter shards (by step, shard) -> task rows. Limit counters
--   (limit_counters) are only ever locked SKIP LOCKED, by claims, and limit
--   releases are inserts: neither makes anyone wait.
-- Every writer of a run's state takes the run row first. Nobody waits for a run
-- row while holding a shard or task row, so a run writer may wait for those
-- (cancel, retry, skip) without forming a cycle:
--   claim_tasks       task rows SKIP LOCKED; for an expired lease the run row
--                     SKIP LOCKED, and what its outcome changes with a 1 ms
--                     lock_timeout (_expire_lease): it never waits;
--   extend_lease      one task row, holding nothing else;
--   plain reports     run, task (complete_task, fail_task: every failure);
--   fan-out reports   shard, task without the run, so completions of one fan-out
--                     do not queue on the run row; a report that needs the run
--                     (it emptied its shard, its output is refused, or the step's
--                     outputs outgrew the aggregate) tries it NOWAIT, and when it
--                     is busy rolls back to before its shard lock and starts over
--                     as run, shard, task (_complete_fan_out_task);
--   complete_tasks    runs in run_id order, each as above in (step, shard, task)
--                     order (one savepoint per run);
--   run writers       run, the shards of the steps they touch, then the task
--                     rows they change (_cancel_tasks, retry_run, _start_steps);
--                     signal rows (signals, signal_deadlines) are written only
--                     by run writers holding the run row (send_signal,
--                     _start_steps), so they need no order of their own;
--   signal deadlines  (_apply_signal_deadlines, from claim_tasks) read the due
--                     deadlines unlocked, take each run row SKIP LOCKED and
--                     what the outcome changes with a 1 ms lock_timeout, as an
--                     expired lease does: never waits.
--
-- Two runs (subflows: a parent run and the child runs its subflow steps start):
-- parent before child. A parent's writers may wait for its children's rows:
-- _cancel_tasks cancels the children of the subflow tasks it cancels (and they
-- theirs), holding the parent's run row; a child start (_start_child) creates
-- the child under the parent's locks. A child never waits for its parent while
-- holding its own rows: a child run that ends (_report_to_parent, from _settle
-- or _stop_run, holding the child's run row) takes its parent's run row NOWAIT
-- and, when it gets it, settles the parent's task in that transaction, waiting
-- at most 50 ms (lock_timeout) for anything that needs (another child's rows,
-- when the parent fails and cancels its children: rows that come before this
-- child's in the order). When the parent is busy (its holder may be cancelling
-- this very child, waiting for it), or that wait runs out, the parent's part is
-- undone and the report is left on the parent's task instead: its row, taken
-- NOWAIT too, is made due (available_at = now(), as an expired lease), and the
-- next claim_tasks applies the child's outcome under the parent's locks
-- (_drive_subflow_task). If that row is busy as well, its holder is a writer of
-- the parent run that is cancelling the task: there is nothing left to report.
-- Runs of one tree are ordered by their path of run_ids from the top-level run
-- (a parent before its children, children by run_id): cascading cancels lock
-- in that order (depth first), and complete_tasks takes its runs in it.
-- Definitions naming subflows: the flow_locks table in SHARE ROW EXCLUSIVE mode
-- (serializes them, so two definitions that would close a cycle of subflows
-- between them cannot both pass the check), then the flow's own row as above.
--
-- One row per flow slug, whatever its versions: the row lock that serializes
-- the definitions of a flow (create_flow, add_step, define_flow), FOR NO KEY
-- UPDATE. Row locks and not advisory locks, because any role may take
-- any advisory lock, while locking these rows needs UPDATE on the table, which
-- nobody but the owner has: no PUBLIC action can stall a claim or a definition.
CREATE TABLE pgflow.flow_locks (
  flow_slug  text        NOT NULL PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT flow_locks_slug_format CHECK (flow_slug ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$')
);
COMMENT ON TABLE pgflow.flow_locks IS
  'One row per flow slug; locked by the definitions of the flow (create_flow, add_step, define_flow).';

CREATE TABLE pgflow.flows (
  flow_slug    text        NOT NULL,
  version      int         NOT NULL DEFAULT 1,
  max_attempts int         NOT NULL DEFAULT 3,
  base_delay   int         NOT NULL DEFAULT 1,
  timeout      int         NOT NULL DEFAULT 60,
  max_concurrency  int,
  max_output_bytes int     NOT NULL DEFAULT 1048576,
  created_at   timestamptz NOT NULL DEFAULT now(),
  rate_limit   int,
  rate_period  int,
  limit_key    text,
  PRIMARY KEY (flow_slug, version),
  CONSTRAINT flows_flow_lock_fkey FOREIGN KEY (flow_slug) REFERENCES pgflow.flow_locks (flow_slug),
  CONSTRAINT flows_slug_format CHECK (flow_slug ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$'),
  CONSTRAINT flows_version_positive CHECK (version >= 1),
  CONSTRAINT flows_max_attempts_bounds CHECK (max_attempts >= 1),
  CONSTRAINT flows_base_delay_bounds CHECK (base_delay >= 0),
  CONSTRAINT flows_timeout_bounds CHECK (timeout >= 1),
  CONSTRAINT flows_max_concurrency_bounds CHECK (max_concurrency >= 1),
  CONSTRAINT flows_max_output_bytes_bounds CHECK (max_output_bytes >= 1),
  CONSTRAINT flows_rate_limit_bounds CHECK (rate_limit >= 1 AND rate_period >= 1),
  CONSTRAINT flows_rate_limit_with_period CHECK ((rate_limit IS NULL) = (rate_period IS NULL))
);
COMMENT ON COLUMN pgflow.flows.max_concurrency IS
  'Tasks of this flow (all versions) in flight at once across all workers; NULL = unlimited. The latest version''s value applies.';
COMMENT ON COLUMN pgflow.flows.max_output_bytes IS
  'Largest task output accepted, as bytes of JSON text; a larger one fails the attempt. Default 1 MiB; steps may override.';
COMMENT ON COLUMN pgflow.flows.rate_limit IS
  'At most rate_limit tasks of this flow (all steps) start in any rate_period-second window; NULL = unlimited.';
COMMENT ON COLUMN pgflow.flows.limit_key IS
  'A dotted path into the run input (customer.id): max_concurrency and rate_limit then hold per distinct value, and claims hand out the values in turn.';
COMMENT ON TABLE pgflow.flows IS 'One row per flow version; start_flow uses the highest version.';

CREATE TABLE pgflow.steps (
  flow_slug      text    NOT NULL,
  flow_version   int     NOT NULL,
  step_slug      text    NOT NULL,
  step_index     int     NOT NULL,
  deps_count     int     NOT NULL DEFAULT 0,
  fan_out        boolean NOT NULL DEFAULT false,
  max_attempts   int,
  base_delay     int,
  timeout        int,
  delay_seconds  int     NOT NULL DEFAULT 0,
  max_concurrency  int,
  max_output_bytes int,
  run_if         jsonb,
  run_unless     jsonb,
  when_unmet     text    NOT NULL DEFAULT 'skip',
  when_exhausted text    NOT NULL DEFAULT 'fail',
  created_at     timestamptz NOT NULL DEFAULT now(),
  rate_limit     int,
  rate_period    int,
  limit_key      text,
  signal         boolean NOT NULL DEFAULT false,
  signal_timeout int,
  subflow        text,
  PRIMARY KEY (flow_slug, flow_version, step_slug),
  FOREIGN KEY (flow_slug, flow_version) REFERENCES pgflow.flows (flow_slug, version) ON DELETE CASCADE,
  CONSTRAINT steps_slug_format CHECK (step_slug ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$' AND step_slug <> 'run'),
  CONSTRAINT steps_deps_count_bounds CHECK (deps_count >= 0),
  CONSTRAINT steps_fan_out_single_dep CHECK (NOT fan_out OR deps_count = 1),
  CONSTRAINT steps_max_attempts_bounds CHECK (max_attempts >= 1),
  CONSTRAINT steps_base_delay_bounds CHECK (base_delay >= 0),
  CONSTRAINT steps_timeout_bounds CHECK (timeout >= 1),
  CONSTRAINT steps_delay_seconds_bounds CHECK (delay_seconds >= 0),
  CONSTRAINT steps_max_concurrency_bounds CHECK (max_concurrency >= 1),
  CONSTRAINT steps_max_output_bytes_bounds CHECK (max_output_bytes >= 1),
  CONSTRAINT steps_rate_limit_bounds CHECK (rate_limit >= 1 AND rate_period >= 1),
  CONSTRAINT steps_rate_limit_with_period CHECK ((rate_limit IS NULL) = (rate_period IS NULL)),
  CONSTRAINT steps_run_if_object CHECK (jsonb_typeof(run_if) = 'object'),
  CONSTRAINT steps_run_unless_object CHECK (jsonb_typeof(run_unless) = 'object'),
  CONSTRAINT steps_when_unmet_values CHECK (when_unmet IN ('skip', 'skip-cascade', 'fail')),
  CONSTRAINT steps_when_exhausted_values CHECK (when_exhausted IN ('skip', 'skip-cascade', 'fail')),
  CONSTRAINT steps_signal_not_fan_out CHECK (NOT (signal AND fan_out)),
  CONSTRAINT steps_signal_timeout_bounds CHECK (signal_timeout >= 1),
  CONSTRAINT steps_signal_timeout_only_signal CHECK (signal OR signal_timeout IS NULL),
  CONSTRAINT steps_signal_not_subflow CHECK (NOT (signal AND subflow IS NOT NULL)),
  CONSTRAINT steps_subflow_fkey FOREIGN KEY (subflow) REFERENCES pgflow.flow_locks (flow_slug),
  CONSTRAINT steps_subflow_single_dep CHECK (subflow IS NULL OR deps_count <= 1)
);
COMMENT ON COLUMN pgflow.steps.subflow IS
  'A subflow step: the flow whose run (on its latest version when the step starts) does the work instead of a worker; see _start_child.';
COMMENT ON COLUMN pgflow.steps.step_index IS 'Position in a topological order of the version (0-based).';
COMMENT ON COLUMN pgflow.steps.max_concurrency IS
  'Tasks of this step (all versions of the flow) in flight at once across all workers; NULL = unlimited.';
COMMENT ON COLUMN pgflow.steps.limit_key IS
  'Like flows.limit_key, for this step''s own max_concurrency and rate_limit (which do not inherit the flow''s).';
COMMENT ON COLUMN pgflow.steps.signal IS
  'A signal step: no task and no handler; once ready it waits for send_signal, whose payload is its output. Shape.';
COMMENT ON COLUMN pgflow.steps.signal_timeout IS
  'Seconds a signal step waits once ready before it fails (when_exhausted applies); NULL = forever. A tunable: a change applies to waits that start afterwards.';

CREATE TABLE pgflow.deps (
  flow_slug    text NOT NULL,
  flow_version int  NOT NULL,
  step_slug    text NOT NULL,
  dep_slug     text NOT NULL,
  PRIMARY KEY (flow_slug, flow_version, step_slug, dep_slug),
  FOREIGN KEY (flow_slug, flow_version, step_slug)
    REFERENCES pgflow.steps (flow_slug, flow_version, step_slug) ON DELETE CASCADE,
  FOREIGN KEY (flow_slug, flow_version, dep_slug)
    REFERENCES pgflow.steps (flow_slug, flow_version, step_slug) ON DELETE CASCADE,
  CONSTRAINT deps_no_self_dependency CHECK (step_slug <> dep_slug)
);
COMMENT ON TABLE pgflow.deps IS 'step_slug runs after dep_slug and receives its output under the key dep_slug.';
-- Completing a step looks up its dependents.
CREATE INDEX deps_dependents_idx ON pgflow.deps (flow_slug, flow_version, dep_slug);

CREATE TABLE pgflow.runs (
  run_id          uuid        NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  flow_slug       text        NOT NULL,
  flow_version    int         NOT NULL,
  status          text        NOT NULL DEFAULT 'started',
  input           jsonb       NOT NULL DEFAULT '{}',
  output          jsonb,
  remaining_steps int         NOT NULL,
  error_message   text,
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  priority        int         NOT NULL DEFAULT 0,
  idempotency_key text,
  traceparent     text,
  parent_run_id     uuid,
  parent_step_slug  text,
  parent_task_index int,
  schedule_name     text,
  scheduled_for     timestamptz,
  FOREIGN KEY (flow_slug, flow_version) REFERENCES pgflow.flows (flow_slug, version),
  CONSTRAINT runs_scheduled_has_slot CHECK ((schedule_name IS NULL) = (scheduled_for IS NULL)),
  CONSTRAINT runs_traceparent_format
    CHECK (traceparent IS NULL OR traceparent ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$'),
  CONSTRAINT runs_status_values CHECK (status IN ('started', 'completed', 'failed', 'cancelled')),
  CONSTRAINT runs_remaining_steps_bounds CHECK (remaining_steps >= 0),
  -- Statuses and who sets them:
  --   started    start_flow, retry_run
  --   completed  _settle (its last step settled)
  --   failed     _stop_run (from _fail_run)
  --   cancelled  _stop_run (from cancel_run)
  CONSTRAINT runs_finished_iff_final CHECK ((status = 'started') = (finished_at IS NULL)),
  CONSTRAINT runs_output_only_completed CHECK (output IS NULL OR status = 'completed'),
  CONSTRAINT runs_error_only_stopped CHECK (error_message IS NULL OR status IN ('failed', 'cancelled')),
  CONSTRAINT runs_parent_all_or_none
    CHECK ((parent_run_id IS NULL) = (parent_step_slug IS NULL) AND (parent_run_id IS NULL) = (parent_task_index IS NULL))
);
COMMENT ON COLUMN pgflow.runs.traceparent IS
  'The W3C trace context of the run (start_flow''s traceparent): every attempt of the run is a span of this trace, under this parent. NULL: started without one.';
-- The version guard asks "does this version have runs?"; the foreign key needs it too.
CREATE INDEX runs_flow_version_idx ON pgflow.runs (flow_slug, flow_version);
-- A second start_flow with the same key returns the first run; the unique entry
-- makes two racing starts one run.
CREATE UNIQUE INDEX runs_idempotency_key_idx ON pgflow.runs (flow_slug, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
COMMENT ON COLUMN pgflow.runs.priority IS 'Claimable tasks of higher-priority runs are claimed first (ties: oldest first).';
-- A child run (started by a subflow step of its parent run) names the task of
-- the parent that it is an attempt of. No foreign key: a child may live on
-- another node than its parent (Citus distributes runs by run_id); prune
-- deletes whole trees, and nothing else deletes runs. Children are looked up
-- by parent (status trees, cancel); most runs have none, so the index is partial.
CREATE INDEX runs_parent_idx ON pgflow.runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
COMMENT ON COLUMN pgflow.runs.parent_run_id IS
  'A child run: the run whose subflow step started it (NULL for a run started by start_flow).';
COMMENT ON COLUMN pgflow.runs.parent_step_slug IS 'A child run: the subflow step of the parent run it works for.';
COMMENT ON COLUMN pgflow.runs.parent_task_index IS
  'A child run: the task of that step it is an attempt of (the fan-out element index; 0 for a single child).';
COMMENT ON COLUMN pgflow.runs.schedule_name IS 'The schedule whose slot started this run (tick); NULL: started otherwise.';
COMMENT ON COLUMN pgflow.runs.scheduled_for IS 'The slot (a cron time) this run was started for.';
-- Exactly one run per schedule slot, however many ticks race: tick checks this
-- under the schedule's row lock, and the unique entry makes a second run of a
-- slot an error rather than a duplicate.
CREATE UNIQUE INDEX runs_schedule_slot_idx ON pgflow.runs (schedule_name, scheduled_for)
  WHERE schedule_name IS NOT NULL;

CREATE TABLE pgflow.step_states (
  run_id          uuid        NOT NULL REFERENCES pgflow.runs (run_id) ON DELETE CASCADE,
  step_slug       text        NOT NULL,
  status          text        NOT NULL DEFAULT 'created',
  remaining_deps  int         NOT NULL,
  remaining_tasks int,
  output          jsonb,
  error_message   text,
  skip_reason     text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  PRIMARY KEY (run_id, step_slug),
  CONSTRAINT step_states_status_values
    CHECK (status IN ('created', 'started', 'completed', 'failed', 'skipped', 'cancelled')),
  CONSTRAINT step_states_remaining_deps_bounds CHECK (remaining_deps >= 0),
  CONSTRAINT step_states_remaining_tasks_bounds CHECK (remaining_tasks >= 0),
  -- Statuses and who sets them:
  --   created    start_flow, retry_run
  --   started    _start_steps (a signal step: _await_signal), retry_run (a fan-out
  --              that keeps its completed tasks)
  --   completed  _complete_step
  --   failed     _fail_run
  --   skipped    _skip_steps
  --   cancelled  _stop_run
  CONSTRAINT step_states_finished_iff_final
    CHECK ((status IN ('created', 'started')) = (finished_at IS NULL)),
  CONSTRAINT step_states_started_has_started_at CHECK (status <> 'started' OR started_at IS NOT NULL),
  CONSTRAINT step_states_output_only_completed CHECK (output IS NULL OR status = 'completed'),
  CONSTRAINT step_states_error_only_failed CHECK (error_message IS NULL OR status = 'failed'),
  CONSTRAINT step_states_skip_reason_only_skipped CHECK (skip_reason IS NULL OR status = 'skipped'),
  CONSTRAINT step_states_skipped_has_reason CHECK (status <> 'skipped' OR skip_reason IS NOT NULL)
);
COMMENT ON COLUMN pgflow.step_states.remaining_tasks IS
  'Tasks not yet completed; NULL until the step starts. A fan-out step counts in fan_out_shards instead and shows its task count until it completes (then 0).';

CREATE TABLE pgflow.step_tasks (
  run_id        uuid        NOT NULL,
  step_slug     text        NOT NULL,
  task_index    int         NOT NULL DEFAULT 0,
  flow_slug     text        NOT NULL,
  flow_version  int         NOT NULL,
  status        text        NOT NULL DEFAULT 'queued',
  attempt       int         NOT NULL DEFAULT 0,
  attempts_before_retry int NOT NULL DEFAULT 0,
  item          jsonb,
  output        jsonb,
  error_message text,
  worker_id     text,
  available_at  timestamptz NOT NULL DEFAULT now(),
  queued_at     timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  lease_token   uuid,
  priority      int         NOT NULL DEFAULT 0,
  flow_key      text        NOT NULL DEFAULT '',
  step_key      text        NOT NULL DEFAULT '',
  held_flow_key text,
  held_step_key text,
  PRIMARY KEY (run_id, step_slug, task_index),
  FOREIGN KEY (run_id, step_slug) REFERENCES pgflow.step_states (run_id, step_slug) ON DELETE CASCADE,
  CONSTRAINT step_tasks_status_values
    CHECK (status IN ('queued', 'started', 'completed', 'failed', 'cancelled')),
  CONSTRAINT step_tasks_task_index_bounds CHECK (task_index >= 0),
  CONSTRAINT step_tasks_attempt_bounds CHECK (attempt >= 0),
  -- Statuses and who sets them:
  --   queued     _start_steps, _fail_attempt (a retry, or a lease lost), retry_run
  --   started    claim_tasks
  --   completed  _store_output
  --   failed     _fail_attempt (its attempts used up)
  --   cancelled  _cancel_tasks
  CONSTRAINT step_tasks_finished_iff_final
    CHECK ((status IN ('queued', 'started')) = (finished_at IS NULL)),
  CONSTRAINT step_tasks_started_has_holder
    CHECK (status <> 'started' OR (attempt >= 1 AND started_at IS NOT NULL AND worker_id IS NOT NULL)),
  CONSTRAINT step_tasks_output_only_completed CHECK (output IS NULL OR status = 'completed')
);
COMMENT ON COLUMN pgflow.step_tasks.lease_token IS
  'Set anew by every claim (claim_tasks returns it): a report or heartbeat that passes lease_token counts only while it is the current one, so the report of a claim that was lost (say, in a crash) cannot pass for the claim that replaced it. NULL for tasks never claimed or claimed under 0.1.';
COMMENT ON COLUMN pgflow.step_tasks.available_at IS
  'queued: when the task becomes claimable (delay, retry backoff); started: when its lease expires and it becomes claimable again.';
COMMENT ON COLUMN pgflow.step_tasks.attempts_before_retry IS
  'Attempts made before the last retry_run. Attempt numbers keep counting across retries (so a report from before the retry is recognisably stale); the attempt budget counts from here.';
COMMENT ON COLUMN pgflow.step_tasks.item IS 'Fan-out tasks only: the array element this task processes.';
COMMENT ON COLUMN pgflow.step_tasks.output IS
  'Fan-out tasks only (aggregated into step_states.output); a single task''s output is stored once, in step_states.';
-- A fan-out step's count of tasks not yet completed, split over up to
-- pgflow._fan_out_shards() rows (task_index % that), so that completions of its
-- tasks do not all queue on one row: a completion decrements its shard, and only
-- one that empties a shard takes the run lock to see whether the step is done.
-- output_bytes sums the jsonb size of the outputs stored through the shard, so
-- a fan-out whose outputs cannot be aggregated into one value fails as soon as
-- they outgrow pgflow._max_aggregate_bytes(), not when its last task reports.
CREATE TABLE pgflow.fan_out_shards (
  run_id    uuid NOT NULL,
  step_slug text NOT NULL,
  shard     int  NOT NULL,
  remaining int  NOT NULL,
  output_bytes bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, step_slug, shard),
  FOREIGN KEY (run_id, step_slug) REFERENCES pgflow.step_states (run_id, step_slug) ON DELETE CASCADE,
  CONSTRAINT fan_out_shards_remaining_bounds CHECK (remaining >= 0)
);

COMMENT ON COLUMN pgflow.step_tasks.priority IS 'The run''s priority, copied so the claim index orders by it.';
COMMENT ON COLUMN pgflow.step_tasks.flow_key IS
  'The value at the flow''s limit_key in the run input ('''' without one), read when the task was created.';
COMMENT ON COLUMN pgflow.step_tasks.step_key IS 'The same for the step''s limit_key.';
COMMENT ON COLUMN pgflow.step_tasks.held_flow_key IS
  'While started: the key of the flow limit counter this claim counts in (NULL: none). See limit_counters.';
COMMENT ON COLUMN pgflow.step_tasks.held_step_key IS 'The same for the step limit counter.';
-- The claim walks queued work one part at a time: (flow, step, priority, keys),
-- each in available_at order, so a claim for one flow or step never reads
-- another's backlog, and a key's backlog never hides another key's oldest task.
CREATE INDEX step_tasks_claim_idx ON pgflow.step_tasks (flow_slug, step_slug, priority, flow_key, step_key, available_at)
  WHERE status = 'queued';
-- Expired leases, in available_at order.
CREATE INDEX step_tasks_leased_idx ON pgflow.step_tasks (available_at) WHERE status = 'started';

-- Every attempt that ended without a completion (failed, timed out, output too
-- large), so "why did attempt 2 fail" is one SELECT. The attempt that completed,
-- or is running, is the step_tasks row itself.
CREATE TABLE pgflow.task_attempts (
  attempt_id    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id        uuid        NOT NULL,
  step_slug     text        NOT NULL,
  task_index    int         NOT NULL,
  attempt       int         NOT NULL,
  worker_id     text,
  started_at    timestamptz,
  failed_at     timestamptz NOT NULL DEFAULT now(),
  error_type    text,
  error_message text        NOT NULL,
  error_details text,
  FOREIGN KEY (run_id, step_slug) REFERENCES pgflow.step_states (run_id, step_slug) ON DELETE CASCADE
);
COMMENT ON COLUMN pgflow.task_attempts.error_details IS 'What the worker sent beyond the message, e.g. a Python traceback.';
CREATE INDEX task_attempts_task_idx ON pgflow.task_attempts (run_id, step_slug, task_index);
-- prune finds finished runs by age.
CREATE INDEX runs_finished_idx ON pgflow.runs (finished_at) WHERE finished_at IS NOT NULL;
-- The web UI pages through runs newest first by keyset ((started_at, run_id) < the last
-- row seen), all runs or one flow's, so a page costs the same at run 100 and run 100,000.
CREATE INDEX runs_started_idx ON pgflow.runs (started_at, run_id);
CREATE INDEX runs_flow_started_idx ON pgflow.runs (flow_slug, started_at, run_id);

-- Workers announce what they serve (worker_heartbeat), so `pgflow status` can say
-- when a run waits for a worker that serves its version.
CREATE TABLE pgflow.workers (
  worker_id    text        NOT NULL PRIMARY KEY,
  step_keys    text[],
  idle         boolean     NOT NULL DEFAULT false,
  started_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN pgflow.workers.idle IS
  'The worker waits for work and wants wake-ups (see _wake_workers). A busy worker claims again when it has room.';
COMMENT ON COLUMN pgflow.workers.step_keys IS
  'The steps this worker''s code serves, as flow_slug/version/step_slug (what it passes to claim_tasks); NULL = any.';
-- _wake_workers counts the workers seen lately: a range scan, however many
-- stale rows (workers gone, not yet pruned) the table holds.
CREATE INDEX workers_last_seen_idx ON pgflow.workers (last_seen_at);

-- Per-flow worker grants (grant_flow, revoke_flow). A session whose login role
-- (session_user) is a member of a role named here works only on the flows
-- granted to its roles: claim_tasks hands out no other flow's tasks, and reports,
-- leases and run_input on other flows raise 42501. A session with no grant at all
-- (and every superuser) works on every flow, as without grants. Role names, not
-- oids, so grants survive a dump and restore; a grant to a dropped role is inert.
CREATE TABLE pgflow.flow_grants (
  flow_slug  text        NOT NULL REFERENCES pgflow.flow_locks (flow_slug) ON DELETE CASCADE,
  role_name  text        NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (flow_slug, role_name)
);
COMMENT ON TABLE pgflow.flow_grants IS
  'Which roles'' sessions may work on which flows; a session holding no grant works on every flow.';

-- The limits in force: for each flow (step_slug '') and step, those of the
-- latest version that has it, written by _sync_limits whenever a definition
-- changes, so a claim reads one row per limit instead of the version history.
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

-- One row per limit and key value: the claims it has in flight and its recent
-- starts (for the rate limit, the starts of the last rate_period seconds). A
-- claim locks only the rows of the limits it hands out under, FOR UPDATE SKIP
-- LOCKED, so claims never wait and two claimers never hand out the same slot.
-- Tasks leaving started do not touch these rows (a completion would then wait
-- for a claimer, and a claimer's transaction for the completion): they append
-- to limit_releases, which the next claim under the limit folds in.
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

-- Who waits for a run to end (watch_run): run-end notifications on pgflow_runs
-- are sent only for runs someone watches, so most run ends do not notify (a
-- notifying commit takes a cluster-wide lock).
CREATE TABLE pgflow.run_watchers (
  run_id     uuid        NOT NULL PRIMARY KEY REFERENCES pgflow.runs (run_id) ON DELETE CASCADE,
  watched_at timestamptz NOT NULL DEFAULT now()
);

-- Signals (send_signal): what arrived for a signal step of a run, the first one
-- only (the primary key: later ones are ignored with a NOTICE). A signal sent
-- before its step is ready waits here (applied_at NULL) and is applied when the
-- step becomes ready (_await_signal); applied_at is set when a signal completes
-- its step, so a signal is never applied twice, whatever retry_run does later.
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

-- The deadline of a signal step waiting with a signal_timeout, written when it
-- starts waiting (_await_signal) and removed when a signal completes it or the
-- deadline is applied (_apply_signal_deadlines). A run stopped while its step
-- waited leaves its row behind; the deadline, when it comes, finds the step no
-- longer waiting and removes it (retry_run's new wait replaces it first). A table
-- of its own, not a column of step_states: an index over step_states.status
-- would make every step update of every flow a non-HOT update.
CREATE TABLE pgflow.signal_deadlines (
  run_id    uuid        NOT NULL,
  step_slug text        NOT NULL,
  deadline  timestamptz NOT NULL,
  PRIMARY KEY (run_id, step_slug),
  FOREIGN KEY (run_id, step_slug) REFERENCES pgflow.step_states (run_id, step_slug) ON DELETE CASCADE
);
COMMENT ON TABLE pgflow.signal_deadlines IS
  'When each waiting signal step with a signal_timeout fails (or is skipped, per when_exhausted) without a signal.';
-- claim_tasks asks "is any deadline due?" (at most once a second per session): one probe.
CREATE INDEX signal_deadlines_deadline_idx ON pgflow.signal_deadlines (deadline);
-- Schedules (schedule, unschedule, tick): a flow started at each slot of a cron
-- expression in a time zone. tick starts the latest due slot of each schedule
-- whose next_slot has come, exactly once (runs_schedule_slot_idx), and moves
-- next_slot past it; a tick with nothing due is one probe of
-- schedules_next_slot_idx. The runs themselves keep schedule_name and
-- scheduled_for, so pruning runs never makes a slot due again (next_slot has
-- moved on), and unschedule keeps their history.
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
