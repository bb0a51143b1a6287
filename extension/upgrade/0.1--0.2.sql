-- Schema changes from 0.1 to 0.2, written by hand; the update script runs this,
-- then re-creates every function (CREATE OR REPLACE), trigger, privilege and
-- dump mark from the 0.2 sources. Whatever a fresh 0.2 install has, an updated
-- 0.1 database must have too (tests/test_upgrade.py compares the catalogs).
-- Order: tables and columns, then functions whose signature changed (dropped
-- here, so the sources can create them anew).

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
