-- Trigger on flows, steps and deps: once a version has a run, its shape is frozen.
-- Runs in flight depend on their version's steps and edges (critique 1.5: renaming
-- a step under a running flow orphans it). Tunables of steps and flows may still
-- change in place; they apply from the next claim. Row-level because these writes
-- are rare (deploys) and the error must name the row.
CREATE OR REPLACE FUNCTION pgflow._guard_frozen_version()
RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_row jsonb := to_jsonb(CASE WHEN TG_OP = 'INSERT' THEN NEW ELSE OLD END);
  v_tunables text[] := ARRAY['max_attempts', 'base_delay', 'timeout', 'delay_seconds',
                             'max_concurrency', 'max_output_bytes', 'rate_limit', 'rate_period', 'limit_key',
                             'signal_timeout', 'created_at'];
  v_flow_slug text := v_row ->> 'flow_slug';
  v_version int := coalesce(v_row ->> 'flow_version', v_row ->> 'version')::int;
  v_what text;
BEGIN
  IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - v_tunables) = (to_jsonb(NEW) - v_tunables) THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME NOT IN ('flows', 'steps', 'deps') THEN
    -- On Citus the definition tables are reference tables, and this fires on
    -- each node's copy (a shard named like steps_102008), where no
    -- distributed query may run: each node looks at its own shards of runs,
    -- and together they see them all (every node holds a copy).
    IF NOT pgflow._local_version_has_runs(v_flow_slug, v_version) THEN
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
  ELSIF NOT EXISTS (SELECT 1 FROM pgflow.runs AS r
                     WHERE r.flow_slug = v_flow_slug AND r.flow_version = v_version) THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  v_what := CASE regexp_replace(TG_TABLE_NAME, '_[0-9]+$', '')
              WHEN 'flows' THEN 'the flow version'
              WHEN 'steps' THEN format('step "%s"', v_row ->> 'step_slug')
              ELSE format('the dependency of step "%s" on "%s"', v_row ->> 'step_slug', v_row ->> 'dep_slug')
            END;
  RAISE EXCEPTION 'cannot % % of flow "%" version %: the version has runs, so its shape is immutable',
    lower(TG_OP), v_what, v_flow_slug, v_version
    USING ERRCODE = '55000',
          DETAIL = 'Runs keep the version they started on; changing it under them would orphan their steps.',
          HINT = format('Deploy the new shape as a new version with pgflow.define_flow(...) '
                        '(e.g. pgflow.define_flow(pgflow.flow_definition(%L) || ...)); '
                        'new runs use it, runs in flight finish on version %s.', v_flow_slug, v_version);
END;
$$;

CREATE OR REPLACE TRIGGER flows_guard_frozen_version BEFORE UPDATE OR DELETE ON pgflow.flows
  FOR EACH ROW EXECUTE FUNCTION pgflow._guard_frozen_version();
CREATE OR REPLACE TRIGGER steps_guard_frozen_version BEFORE INSERT OR UPDATE OR DELETE ON pgflow.steps
  FOR EACH ROW EXECUTE FUNCTION pgflow._guard_frozen_version();
CREATE OR REPLACE TRIGGER deps_guard_frozen_version BEFORE INSERT OR UPDATE OR DELETE ON pgflow.deps
  FOR EACH ROW EXECUTE FUNCTION pgflow._guard_frozen_version();
