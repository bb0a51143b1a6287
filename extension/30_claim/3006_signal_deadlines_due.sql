-- Whether claim_tasks should apply signal deadlines now: this session's last
-- look (_apply_signal_deadlines) noted the earliest deadline it left, or a
-- second later when sooner. A deadline recorded since then is at least a
-- second (signal_timeout >= 1) after its wait began, so a due deadline is
-- applied by the first claim after it, or at worst a second late when its
-- wait began in a transaction that committed after that look. A plain
-- expression, so a claim tests it without running a statement: a flow that
-- uses no signals pays one look per second per session (two index probes of
-- an empty table), not one per claim.
CREATE OR REPLACE FUNCTION pgflow._signal_deadlines_due()
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('pgflow.next_signal_deadline_check', true), '')::timestamptz,
                  '-infinity') <= now()
$$;
