-- The run id of a run started with an idempotency key, on Citus: a name-based
-- UUID (version 8, RFC 9562) from the flow slug and the key, so that the id is
-- known before the call is routed and the uniqueness of (flow_slug,
-- idempotency_key) is the uniqueness of run_id, the one unique index a
-- distributed table can keep across shards. The Python client computes the
-- same value (pgflow.client.idempotent_run_id); a test pins that they agree.
-- Single-node keeps its unique index on (flow_slug, idempotency_key) and does
-- not need this, but accepts it as any other run_id.
CREATE OR REPLACE FUNCTION pgflow.idempotent_run_id(flow_slug text, idempotency_key text)
RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT encode(
           set_byte(set_byte(d, 6, (get_byte(d, 6) & 15) | 128), 8, (get_byte(d, 8) & 63) | 128),
           'hex')::uuid
    FROM (SELECT substring(sha256(convert_to('pgflow run' || chr(31) || flow_slug || chr(31) || idempotency_key,
                                             'UTF8')) FROM 1 FOR 16) AS d) AS h
$$;
