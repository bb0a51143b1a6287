-- The one error for a feature pgflow does not support on Citus, naming the
-- feature, the flow (and step) and Citus, so nothing runs with results that
-- would be wrong there. Today:
--   - limits (max_concurrency, rate_limit, limit_key): they count the claims
--     of all workers against one counter; on Citus each claim runs on one node
--     and sees only that node's shards, so a cluster-wide count would need a
--     cluster-wide lock on every claim, which is what claims on Citus must
--     never take;
--   - signal steps, subflow steps and schedules (_refuse_unsupported_on_citus):
--     their deadlines, child runs and slots are found by queries across every
--     shard (a signal deadline or a schedule slot of any run; a child on another
--     node than its parent), which a node's claim or a run's delegated call
--     cannot make in one single-shard transaction.
-- Called by pgflow.distribute() (definitions made before) and by every
-- definition writer through _sync_limits (definitions made after), and by
-- schedule/deploy for schedules. DETAIL and HINT default to the limits' ones.
CREATE OR REPLACE FUNCTION pgflow._refuse_on_citus(flow_slug text, step_slug text, feature text,
                                                  detail text DEFAULT NULL, hint text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% of flow "%"% are not supported on Citus', feature, flow_slug,
                  CASE WHEN coalesce(step_slug, '') = '' THEN '' ELSE format(' (step "%s")', step_slug) END
    USING ERRCODE = '0A000',
          DETAIL = coalesce(detail,
                            'On Citus every claim runs on one node and sees only the tasks of that node''s shards; '
                            'a limit across all nodes would need a cluster-wide lock in every claim.'),
          HINT = coalesce(hint,
                          'Define the flow without max_concurrency, rate_limit and limit_key, or run it on a single-node pgflow.');
END;
$$;
