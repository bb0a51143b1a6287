-- Starts what the schedules have due at `at`: for each schedule whose next
-- slot has come, the run of its latest slot at or before `at`, unless that slot
-- has a run already. Earlier slots missed meanwhile (no tick while every worker
-- was down) are skipped: one run, for the latest. Returns the runs it started.
-- Workers call it every few seconds; pg_cron may too (`SELECT pgflow.tick()`).
-- Exactly once per slot, however many ticks run at once: a tick locks each due
-- schedule row FOR UPDATE SKIP LOCKED, so two ticks never handle one schedule
-- together, and both succeed (the second skips what the first holds, and once
-- the first commits, the row's next_slot is past `at`). Under that lock the
-- slot's run is looked up (runs_schedule_slot_idx, which also refuses a
-- duplicate outright), started, and next_slot moved past `at`.
-- A slot whose run cannot start (start_flow raised) is skipped, with the error
-- in the schedule's last_error and a WARNING: one broken schedule does not stop
-- the others, nor make every later tick fail. A transient error (a deadlock, say
-- with a deploy that replaces the flow's version while this tick starts its run)
-- fails the whole tick instead, so the next tick starts the slot after all.
-- Cheap when nothing is due: one probe of schedules_next_slot_idx, and one of
-- signal_deadlines_deadline_idx for the signal deadlines. A flow without
-- schedules is not touched at all.
-- `at` after now() (starting slots ahead of time) is refused unless the login
-- role is a pgflow_admin: a worker's tick cannot start a slot early.
-- Locks: schedule rows (SKIP LOCKED), then what start_flow locks.
CREATE OR REPLACE FUNCTION pgflow.tick(at timestamptz DEFAULT now())
RETURNS SETOF pgflow.runs
LANGUAGE plpgsql AS $$
DECLARE
  v_schedule pgflow.schedules;
  v_slot timestamptz;
  v_run pgflow.runs;
  v_error text;
BEGIN
  IF at IS NULL THEN
    RAISE EXCEPTION 'at must not be null' USING ERRCODE = '22023', HINT = 'Leave it out for now().';
  END IF;
  -- Starting slots ahead of time is for admins (and tests): a worker's tick
  -- only ever catches up with the clock.
  IF at > now() AND NOT pg_has_role(session_user, 'pgflow_admin', 'MEMBER') THEN
    RAISE EXCEPTION 'tick at % is in the future: only a pgflow_admin may start slots ahead of time', at
      USING ERRCODE = '42501', HINT = 'Call pgflow.tick() without `at` to start what is due now.';
  END IF;
  IF pgflow._distributed() THEN
    RETURN;  -- schedules and signal steps are refused on Citus (_refuse_unsupported_on_citus)
  END IF;
  -- Partitioned history: the partitions ahead exist (one probe when they do).
  PERFORM pgflow._premake_history(tick.at);
  -- Signal deadlines passed by `at` are applied here too, so they hold with
  -- pg_cron ticking and no worker claiming (DESIGN.md: claim_tasks or tick,
  -- whichever runs first). Never waits (see _apply_signal_deadlines).
  PERFORM pgflow._apply_signal_deadlines(at);
  FOR v_schedule IN
    SELECT s.* FROM pgflow.schedules AS s
     WHERE s.next_slot <= tick.at
     ORDER BY s.next_slot, s.schedule_name
       FOR UPDATE SKIP LOCKED
  LOOP
    -- next_slot is itself a slot at or before `at`, so the latest is at least it.
    v_slot := greatest(v_schedule.next_slot, pgflow._cron_slot(v_schedule.cron, v_schedule.time_zone, at, false));
    v_run := NULL;
    v_error := NULL;
    IF NOT EXISTS (SELECT 1 FROM pgflow.runs AS r
                    WHERE r.schedule_name = v_schedule.schedule_name AND r.scheduled_for = v_slot) THEN
      BEGIN
        v_run := pgflow._start_scheduled_run(v_schedule, v_slot);
      EXCEPTION
        WHEN deadlock_detected OR serialization_failure OR lock_not_available THEN
          RAISE;  -- transient: this whole tick fails and the next one starts the slot
        WHEN OTHERS THEN
          GET STACKED DIAGNOSTICS v_error = MESSAGE_TEXT;
          v_error := format('the run of slot %s could not start: %s', v_slot, v_error);
          RAISE WARNING 'schedule "%" of flow "%": %', v_schedule.schedule_name, v_schedule.flow_slug, v_error;
      END;
    END IF;
    UPDATE pgflow.schedules AS s
       SET last_slot = v_slot,
           last_run_id = coalesce(v_run.run_id, s.last_run_id),
           last_error = v_error,
           next_slot = coalesce(pgflow._cron_slot(s.cron, s.time_zone, greatest(tick.at, v_slot), true),
                                'infinity')
     WHERE s.schedule_name = v_schedule.schedule_name;
    IF v_run.run_id IS NOT NULL THEN
      RETURN NEXT v_run;
    END IF;
  END LOOP;
END;
$$;
