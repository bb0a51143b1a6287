-- A lone claim turns synchronous_commit off for its transaction (see
-- claim_tasks), keeping the value it found in pgflow.synchronous_commit_of_claim.
-- Whatever writes an outcome afterwards in the same transaction (a report, a
-- step or run settling, a stop, a wake-up) calls this first: the value is put
-- back, so the transaction commits as durably as it would have without the
-- claim, and nobody is told of an outcome a crash could undo.
CREATE OR REPLACE FUNCTION pgflow._durable_commit()
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_before text := current_setting('pgflow.synchronous_commit_of_claim', true);
BEGIN
  IF coalesce(v_before, '') <> '' THEN
    PERFORM set_config('synchronous_commit', v_before, true);
    PERFORM set_config('pgflow.synchronous_commit_of_claim', '', true);
  END IF;
END;
$$;
-- Whether this transaction made a lone claim whose commit _durable_commit must
-- make durable again. A plain expression, so hot callers (_lock_run, _settle)
-- test it without running a statement, and call _durable_commit only when so.
CREATE OR REPLACE FUNCTION pgflow._claim_commit_pending()
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('pgflow.synchronous_commit_of_claim', true), '') <> ''
$$;
