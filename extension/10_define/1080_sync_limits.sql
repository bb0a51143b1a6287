-- Rewrites flow_limits for one flow from its definitions: the flow's limits from
-- its latest version, each step's from the latest version that has the step (as
-- max_concurrency always applied). Called by every function that writes
-- definitions, at the end, so claims read the limits in force from one small
-- table and never scan the version history. Only limits that are set get a row.
-- On Citus (pgflow.distribute()) a flow with a limit, a signal step or a
-- subflow step is refused here (_refuse_on_citus, _refuse_unsupported_on_citus).
CREATE OR REPLACE FUNCTION pgflow._sync_limits(flow_slug text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM pgflow.flow_limits AS l WHERE l.flow_slug = _sync_limits.flow_slug;
  INSERT INTO pgflow.flow_limits (flow_slug, step_slug, max_concurrency, rate_limit, rate_period, limit_key)
  SELECT f.flow_slug, '', f.max_concurrency, f.rate_limit, f.rate_period, string_to_array(f.limit_key, '.')
    FROM (SELECT x.* FROM pgflow.flows AS x WHERE x.flow_slug = _sync_limits.flow_slug
           ORDER BY x.version DESC LIMIT 1) AS f
   WHERE f.max_concurrency IS NOT NULL OR f.rate_limit IS NOT NULL OR f.limit_key IS NOT NULL;
  INSERT INTO pgflow.flow_limits (flow_slug, step_slug, max_concurrency, rate_limit, rate_period, limit_key)
  SELECT s.flow_slug, s.step_slug, s.max_concurrency, s.rate_limit, s.rate_period, string_to_array(s.limit_key, '.')
    FROM (SELECT DISTINCT ON (x.step_slug) x.* FROM pgflow.steps AS x
           WHERE x.flow_slug = _sync_limits.flow_slug
           ORDER BY x.step_slug, x.flow_version DESC) AS s
   WHERE s.max_concurrency IS NOT NULL OR s.rate_limit IS NOT NULL OR s.limit_key IS NOT NULL;
  -- On Citus no limit can hold across nodes: refuse it (the definition rolls back).
  IF pgflow._distributed() THEN
    PERFORM pgflow._refuse_on_citus(l.flow_slug, l.step_slug, 'max_concurrency, rate_limit and limit_key')
       FROM pgflow.flow_limits AS l
      WHERE l.flow_slug = _sync_limits.flow_slug
        AND (l.max_concurrency IS NOT NULL OR l.rate_limit IS NOT NULL OR l.limit_key IS NOT NULL)
      LIMIT 1;
    PERFORM pgflow._refuse_unsupported_on_citus(_sync_limits.flow_slug);
  END IF;
END;
$$;
