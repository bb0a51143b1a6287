-- The schedules of a flow as its code declares them (pgflow deploy sends the
-- flow's `flow.schedule(...)` list): a JSON array of objects with the keys of
-- pgflow.schedule's arguments, {"schedule_name", "cron", "input", "time_zone"}
-- (schedule_name defaults to the flow slug). In one transaction:
--   created    a name that had no schedule;
--   updated    a schedule whose cron, input or time zone (or flow) changed;
--   unchanged  one equal to the code's (its next slot is kept);
--   removed    a schedule of this flow made by an earlier deploy that the code
--              no longer has;
--   kept       a schedule of this flow made by hand (pgflow.schedule): deploy
--              does not own it, so it neither removes nor changes it unless the
--              code declares the same name, which deploy then takes over.
-- Returns one row per schedule of the flow with what happened to it. All or
-- nothing: a bad entry raises (naming it) and changes nothing. A name used by
-- another flow's schedule is refused rather than moved.
-- Locks: the flow's flow_locks row (concurrent deploys of a flow queue), then
-- the schedule rows.
CREATE OR REPLACE FUNCTION pgflow.sync_schedules(flow_slug text, schedules jsonb)
RETURNS TABLE (schedule_name text, action text)
LANGUAGE plpgsql AS $$
DECLARE
  v_entry jsonb;
  v_name text;
  v_names text[] := '{}'::text[];
  v_old pgflow.schedules;
BEGIN
  PERFORM pgflow._check_slug('flow', flow_slug);
  IF jsonb_typeof(schedules) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'schedules of flow "%" must be a JSON array, got %', flow_slug, coalesce(jsonb_typeof(schedules), 'null')
      USING ERRCODE = '22023', HINT = 'e.g. ''[{"cron": "0 3 * * *", "input": {}}]''; [] removes the deployed ones.';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pgflow.flow_locks AS l WHERE l.flow_slug = sync_schedules.flow_slug) THEN
    RAISE EXCEPTION 'cannot schedule flow "%": it does not exist', flow_slug
      USING ERRCODE = 'P0002', HINT = 'Define it first with pgflow.define_flow.';
  END IF;
  PERFORM pgflow._lock_flow(flow_slug);
  FOR v_entry IN SELECT e FROM jsonb_array_elements(schedules) AS e LOOP
    IF jsonb_typeof(v_entry) IS DISTINCT FROM 'object' THEN
      RAISE EXCEPTION 'a schedule of flow "%" must be a JSON object, got %', flow_slug, jsonb_typeof(v_entry)
        USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_object_keys(v_entry) AS k
                WHERE k NOT IN ('schedule_name', 'cron', 'input', 'time_zone')) THEN
      RAISE EXCEPTION 'a schedule of flow "%" has unknown keys: %', flow_slug,
        (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(v_entry) AS k
          WHERE k NOT IN ('schedule_name', 'cron', 'input', 'time_zone'))
        USING ERRCODE = '22023', HINT = 'The keys are schedule_name, cron, input and time_zone.';
    END IF;
    v_name := coalesce(v_entry ->> 'schedule_name', flow_slug);
    IF v_name = ANY (v_names) THEN
      RAISE EXCEPTION 'flow "%" declares schedule "%" twice', flow_slug, v_name
        USING ERRCODE = '22023', HINT = 'Give each schedule of a flow its own name.';
    END IF;
    v_names := v_names || v_name;
    SELECT s.* INTO v_old FROM pgflow.schedules AS s WHERE s.schedule_name = v_name FOR NO KEY UPDATE;
    IF FOUND AND v_old.flow_slug <> sync_schedules.flow_slug THEN
      RAISE EXCEPTION 'schedule "%" belongs to flow "%", not "%"', v_name, v_old.flow_slug, flow_slug
        USING ERRCODE = '23505', HINT = 'Schedule names are unique across flows: pick another name, or unschedule the other one.';
    END IF;
    schedule_name := v_name;
    IF (v_old.cron, v_old.input, v_old.time_zone, v_old.origin)
       IS NOT DISTINCT FROM (v_entry ->> 'cron', coalesce(v_entry -> 'input', '{}'),
                             coalesce(v_entry ->> 'time_zone', 'UTC'), 'deploy') THEN
      action := 'unchanged';  -- not even rewritten: the row stays as it is
    ELSE
      PERFORM pgflow._put_schedule(flow_slug, v_entry ->> 'cron', coalesce(v_entry -> 'input', '{}'), v_name,
                                   coalesce(v_entry ->> 'time_zone', 'UTC'), 'deploy');
      action := CASE WHEN v_old.schedule_name IS NULL THEN 'created' ELSE 'updated' END;
    END IF;
    RETURN NEXT;
  END LOOP;
  FOR v_old IN
    SELECT s.* FROM pgflow.schedules AS s
     WHERE s.flow_slug = sync_schedules.flow_slug AND s.schedule_name <> ALL (v_names)
     ORDER BY s.schedule_name FOR NO KEY UPDATE
  LOOP
    schedule_name := v_old.schedule_name;
    IF v_old.origin = 'deploy' THEN
      DELETE FROM pgflow.schedules AS s WHERE s.schedule_name = v_old.schedule_name;
      action := 'removed';
    ELSE
      action := 'kept';
    END IF;
    RETURN NEXT;
  END LOOP;
END;
$$;
