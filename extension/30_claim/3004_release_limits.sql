-- The "-1" of the limit counters: a task counted under limits (held_flow_key,
-- held_step_key, set by claim_tasks) left started, by whatever transition
-- (completed, failed, retried, timed out, reclaimed after its lease expired,
-- cancelled). It appends a release per counter, which the next claim under
-- that limit folds in (_open_limit): an insert, so a completion never waits for
-- a claimer holding the counter, and no lock cycle can form between claims and
-- reports in any order. Fired by the trigger step_tasks_release_limits, so
-- every transition out of started, present or future, releases exactly once.
CREATE OR REPLACE FUNCTION pgflow._release_limits()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pgflow.limit_releases (flow_slug, step_slug, key_value)
  SELECT OLD.flow_slug, x.step_slug, x.key_value
    FROM (VALUES ('', OLD.held_flow_key), (OLD.step_slug, OLD.held_step_key)) AS x(step_slug, key_value)
   WHERE x.key_value IS NOT NULL;
  RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER step_tasks_release_limits
  AFTER UPDATE OF status ON pgflow.step_tasks
  FOR EACH ROW
  WHEN (OLD.status = 'started' AND NEW.status <> 'started'
        AND (OLD.held_flow_key IS NOT NULL OR OLD.held_step_key IS NOT NULL))
  EXECUTE FUNCTION pgflow._release_limits();
