-- On Citus: refuses a flow (one, or every flow when flow_slug is NULL) whose
-- latest version has a signal step or a subflow step, and schedules, with
-- _refuse_on_citus' error. See there for why; the README's "Scaling out" says
-- what a design for them on Citus needs.
CREATE OR REPLACE FUNCTION pgflow._refuse_unsupported_on_citus(flow_slug text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_step record;
  v_schedule record;
BEGIN
  SELECT s.flow_slug, s.step_slug, s.signal INTO v_step
    FROM pgflow.steps AS s
   WHERE (s.signal OR s.subflow IS NOT NULL)
     AND (_refuse_unsupported_on_citus.flow_slug IS NULL OR s.flow_slug = _refuse_unsupported_on_citus.flow_slug)
     AND s.flow_version = (SELECT max(f.version) FROM pgflow.flows AS f WHERE f.flow_slug = s.flow_slug)
   LIMIT 1;
  IF FOUND THEN
    PERFORM pgflow._refuse_on_citus(v_step.flow_slug, v_step.step_slug,
      CASE WHEN v_step.signal THEN 'signal steps' ELSE 'subflow steps' END,
      CASE WHEN v_step.signal
           THEN 'A signal step''s deadline is found by a query over every shard, which no single-shard claim can make.'
           ELSE 'A child run may live on another node than its parent; starting it, and reporting its end, would span nodes.' END,
      'Run this flow on a single-node pgflow, or (for now) without that step on Citus.');
  END IF;
  SELECT s.schedule_name, s.flow_slug INTO v_schedule
    FROM pgflow.schedules AS s
   WHERE _refuse_unsupported_on_citus.flow_slug IS NULL OR s.flow_slug = _refuse_unsupported_on_citus.flow_slug
   LIMIT 1;
  IF FOUND THEN
    PERFORM pgflow._refuse_on_citus(v_schedule.flow_slug, NULL, format('schedules ("%s")', v_schedule.schedule_name),
      'A slot is started exactly once by a unique index over every run, which a distributed table cannot enforce.',
      'Start the flow on a schedule from outside (e.g. pg_cron calling pgflow.start_flow with an idempotency_key per slot).');
  END IF;
END;
$$;
