-- Schema changes from 0.1 to 0.2, written by hand; the update script runs this,
-- then re-creates every function (CREATE OR REPLACE), trigger, privilege and
-- dump mark from the 0.2 sources. Whatever a fresh 0.2 install has, an updated
-- 0.1 database must have too (tests/test_upgrade.py compares the catalogs).
-- Order: tables and columns, then functions whose signature changed (dropped
-- here, so the sources can create them anew).

-- Definitions and limited claims lock a row per flow slug instead of advisory
-- locks (which any role can take): one row per existing flow.
CREATE TABLE pgflow.flow_locks (
  flow_slug  text        NOT NULL PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT flow_locks_slug_format CHECK (flow_slug ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$')
);
COMMENT ON TABLE pgflow.flow_locks IS
  'One row per flow slug; locked by definitions of the flow and by claims of a flow with a concurrency limit.';
INSERT INTO pgflow.flow_locks (flow_slug, created_at)
SELECT f.flow_slug, min(f.created_at) FROM pgflow.flows AS f GROUP BY f.flow_slug;
ALTER TABLE pgflow.flows
  ADD CONSTRAINT flows_flow_lock_fkey FOREIGN KEY (flow_slug) REFERENCES pgflow.flow_locks (flow_slug);

CREATE INDEX workers_last_seen_idx ON pgflow.workers (last_seen_at);

CREATE TABLE pgflow.flow_grants (
  flow_slug  text        NOT NULL REFERENCES pgflow.flow_locks (flow_slug) ON DELETE CASCADE,
  role_name  text        NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (flow_slug, role_name)
);
COMMENT ON TABLE pgflow.flow_grants IS
  'Which roles'' sessions may work on which flows; a session holding no grant works on every flow.';
