-- Starts the run of one schedule slot: an ordinary start_flow (so everything a
-- start does, a scheduled start does the same way), then the run records the
-- schedule and slot. runs_schedule_slot_idx refuses a second run of the slot;
-- tick asks first, under the schedule's row lock, so it never gets there.
-- Runs in tick's transaction, in a subtransaction of its own (see tick).
CREATE OR REPLACE FUNCTION pgflow._start_scheduled_run(schedule pgflow.schedules, slot timestamptz)
RETURNS pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_run pgflow.runs;
BEGIN
  v_run := pgflow.start_flow(flow_slug => schedule.flow_slug, input => schedule.input);
  UPDATE pgflow.runs AS r SET schedule_name = schedule.schedule_name, scheduled_for = slot
   WHERE r.run_id = v_run.run_id
  RETURNING * INTO STRICT v_run;
  RETURN v_run;
END;
$$;
