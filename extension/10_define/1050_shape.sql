-- The shape of a version: what a run depends on and what must never change under
-- it. Takes the "steps" array of a normalized definition (as flow_definition
-- returns it) and keeps, per step slug, its deps, fan_out, conditions, policies
-- and subflow, and whether it is a signal step (a worker step turned signal
-- step, or back, changes what a run's step waits for: its runs could not finish
-- on the other).
-- Tunables (max_attempts, base_delay, timeout, delay_seconds, signal_timeout)
-- are not shape: signal_timeout is read when a wait starts, like timeout at a claim.
CREATE OR REPLACE FUNCTION pgflow._shape(steps jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(e ->> 'slug', jsonb_build_object(
           'deps', e -> 'deps', 'fan_out', e -> 'fan_out',
           'run_if', e -> 'run_if', 'run_unless', e -> 'run_unless',
           'when_unmet', e -> 'when_unmet', 'when_exhausted', e -> 'when_exhausted',
           'signal', coalesce(e -> 'signal', 'false'),
           -- Which flow a step runs is shape; absent and null are the same (no subflow).
           'subflow', coalesce(e -> 'subflow', 'null'))), '{}')
    FROM jsonb_array_elements(steps) AS e
$$;
