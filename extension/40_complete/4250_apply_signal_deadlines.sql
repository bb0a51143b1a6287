-- Signal steps whose deadline passed at `at` without a signal: each fails, and
-- its step's when_exhausted applies, once and for good (a missed deadline is
-- not retried: there is no attempt to retry): fail (the default) fails the
-- step and the run (_fail_run), skip or skip-cascade skips it (_skip_steps) and
-- the run goes on. The error or skip reason names the step and its timeout.
-- A deadline whose step no longer waits (its run stopped meanwhile) is removed.
-- Returns how many steps it failed or skipped.
-- Called by claim_tasks (no cron job needed; see _signal_deadlines_due) and by
-- tick. Never waits: the due deadlines are read without locks, each run row is
-- taken SKIP LOCKED (send_signal holds it while it commits a signal: then the
-- signal wins, or the deadline is seen again by a later claim), and what the
-- outcome changes with a 1 ms lock_timeout, as _expire_lease does (lock order:
-- 0000_tables.sql). The deadline is re-read under the run lock, the only lock
-- its writers hold. Afterwards the session notes when to look next (at the
-- earliest deadline left, at most a second from now), for claim_tasks.
CREATE OR REPLACE FUNCTION pgflow._apply_signal_deadlines(at timestamptz DEFAULT now())
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_due record;
  v_run pgflow.runs;
  v_deadline timestamptz;
  v_state pgflow.step_states;
  v_step record;
  v_reason text;
  v_lock_timeout text := current_setting('lock_timeout');
  v_applied int := 0;
BEGIN
  FOR v_due IN
    SELECT d.run_id, d.step_slug FROM pgflow.signal_deadlines AS d
     WHERE d.deadline <= at ORDER BY d.deadline LIMIT 100
  LOOP
    SELECT r.* INTO v_run FROM pgflow.runs AS r WHERE r.run_id = v_due.run_id FOR NO KEY UPDATE SKIP LOCKED;
    CONTINUE WHEN NOT FOUND;
    SELECT d.deadline INTO v_deadline FROM pgflow.signal_deadlines AS d
     WHERE d.run_id = v_due.run_id AND d.step_slug = v_due.step_slug AND d.deadline <= at;
    CONTINUE WHEN NOT FOUND;  -- a signal came first, or a retry started a new wait
    SELECT ss.* INTO STRICT v_state FROM pgflow.step_states AS ss
     WHERE ss.run_id = v_due.run_id AND ss.step_slug = v_due.step_slug;
    IF v_run.status <> 'started' OR v_state.status <> 'started' THEN
      DELETE FROM pgflow.signal_deadlines AS d WHERE d.run_id = v_due.run_id AND d.step_slug = v_due.step_slug;
      CONTINUE;
    END IF;
    SELECT s.signal_timeout, s.when_exhausted INTO STRICT v_step FROM pgflow.steps AS s
     WHERE s.flow_slug = v_run.flow_slug AND s.flow_version = v_run.flow_version AND s.step_slug = v_due.step_slug;
    v_reason := format('signal step "%s" received no signal within its signal_timeout (%s s, from %s to %s)',
                       v_due.step_slug, round(extract(epoch FROM v_deadline - v_state.started_at)),
                       v_state.started_at, v_deadline);
    BEGIN
      PERFORM set_config('lock_timeout', '1ms', true);
      DELETE FROM pgflow.signal_deadlines AS d WHERE d.run_id = v_due.run_id AND d.step_slug = v_due.step_slug;
      IF v_step.when_exhausted = 'fail' THEN
        PERFORM pgflow._fail_run(v_run.run_id, v_due.step_slug, v_reason);
      ELSE
        PERFORM pgflow._start_steps(v_run, pgflow._skip_steps(v_run, v_due.step_slug,
          format('%s (when_exhausted = %s)', v_reason, v_step.when_exhausted), v_step.when_exhausted = 'skip-cascade'));
      END IF;
      PERFORM set_config('lock_timeout', v_lock_timeout, true);
      v_applied := v_applied + 1;
    EXCEPTION WHEN lock_not_available THEN
      PERFORM set_config('lock_timeout', v_lock_timeout, true);
    END;
  END LOOP;
  PERFORM set_config('pgflow.next_signal_deadline_check',
                     least((SELECT min(d.deadline) FROM pgflow.signal_deadlines AS d), now() + interval '1 second')::text,
                     false);
  RETURN v_applied;
END;
$$;
