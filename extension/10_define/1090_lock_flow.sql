-- Serializes the definitions of one flow (create_flow, add_step, define_flow):
-- locks the flow's flow_locks row, creating it for a new slug. Two first
-- definitions of a slug meet on the row's unique index: the second waits for
-- the first to commit, then reads the version it made. Limited claims of the
-- flow take the same lock (claim_tasks), so they wait for a definition in
-- progress and it waits for them, a few milliseconds either way.
CREATE OR REPLACE FUNCTION pgflow._lock_flow(flow_slug text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pgflow.flow_locks AS l (flow_slug) VALUES (_lock_flow.flow_slug)
  ON CONFLICT ON CONSTRAINT flow_locks_pkey DO NOTHING;
  PERFORM 1 FROM pgflow.flow_locks AS l WHERE l.flow_slug = _lock_flow.flow_slug FOR NO KEY UPDATE;
END;
$$;
