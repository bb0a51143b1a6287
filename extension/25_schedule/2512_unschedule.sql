-- Removes a schedule: no run starts for it from now on. Its runs stay (with
-- their schedule_name). Returns false when there is no schedule of that name.
-- Locks: the schedule's row; waits for a tick that is starting its slot.
CREATE OR REPLACE FUNCTION pgflow.unschedule(schedule_name text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM pgflow.schedules AS s WHERE s.schedule_name = unschedule.schedule_name;
  RETURN FOUND;
END;
$$;
