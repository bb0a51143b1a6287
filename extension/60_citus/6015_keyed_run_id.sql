-- On Citus: the run id of a start with an idempotency key, which is
-- pgflow.idempotent_run_id(flow, key) (see there why). A caller's own run_id
-- is accepted only when it is that id: any other pair (run_id, key) could not
-- be kept unique across shards.
CREATE OR REPLACE FUNCTION pgflow._keyed_run_id(flow_slug text, idempotency_key text, run_id uuid)
RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_keyed uuid := pgflow.idempotent_run_id(flow_slug, idempotency_key);
BEGIN
  IF run_id IS NOT NULL AND run_id <> v_keyed THEN
    RAISE EXCEPTION 'a run_id of one''s own together with an idempotency_key is not supported on Citus (flow "%", run %)',
      pgflow._excerpt(flow_slug), run_id
      USING ERRCODE = '0A000',
            DETAIL = 'On Citus the run id of a keyed run is pgflow.idempotent_run_id(flow_slug, idempotency_key), '
                     'so that starts with the same key meet in one shard.',
            HINT = format('Pass run_id => NULL, or run_id => %L.', v_keyed);
  END IF;
  RETURN v_keyed;
END;
$$;
