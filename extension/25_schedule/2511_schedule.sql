-- Starts flow_slug at every slot of a cron expression (five fields: minute,
-- hour, day of month, month, day of week; see _cron_parse) in time_zone, with
-- `input` as the run input. The schedule is named schedule_name (default: the
-- flow slug); scheduling an existing name replaces its flow, cron, input and
-- time zone. Runs are started by pgflow.tick, which workers call by themselves
-- (pg_cron calling `SELECT pgflow.tick()` every minute works too).
-- Raises for an unknown flow, a bad name, a bad cron expression (naming the
-- field) and an unknown time zone.
CREATE OR REPLACE FUNCTION pgflow.schedule(
  flow_slug text, cron text, input jsonb DEFAULT '{}', schedule_name text DEFAULT NULL, time_zone text DEFAULT 'UTC')
RETURNS pgflow.schedules
LANGUAGE plpgsql AS $$
BEGIN
  RETURN pgflow._put_schedule(flow_slug, cron, input, coalesce(schedule_name, flow_slug), time_zone, NULL);
END;
$$;
