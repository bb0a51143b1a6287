-- The one error for a feature pgflow does not support on Citus, naming the
-- feature, the flow (and step) and Citus, so nothing runs with results that
-- would be wrong there. Today: limits (max_concurrency, rate_limit,
-- limit_key). They count the claims of all workers against one counter; on
-- Citus each claim runs on one node and sees only that node's shards, so a
-- cluster-wide count would need a cluster-wide lock on every claim, which is
-- what claims on Citus must never take. Called by pgflow.distribute() (limits
-- defined before) and _sync_limits (limits defined after).
CREATE OR REPLACE FUNCTION pgflow._refuse_on_citus(flow_slug text, step_slug text, feature text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% of flow "%"% are not supported on Citus', feature, flow_slug,
                  CASE WHEN coalesce(step_slug, '') = '' THEN '' ELSE format(' (step "%s")', step_slug) END
    USING ERRCODE = '0A000',
          DETAIL = 'On Citus every claim runs on one node and sees only the tasks of that node''s shards; '
                   'a limit across all nodes would need a cluster-wide lock in every claim.',
          HINT = 'Define the flow without max_concurrency, rate_limit and limit_key, or run it on a single-node pgflow.';
END;
$$;
