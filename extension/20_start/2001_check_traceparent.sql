-- Raises unless traceparent is NULL or a W3C Trace Context traceparent header
-- (https://www.w3.org/TR/trace-context/#traceparent-header) of version 00:
-- "00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>", lowercase, ids
-- not all zeros. It is stored with the run (runs.traceparent) and every attempt
-- of the run becomes a span of that trace, so a malformed one would silently
-- cut the run off its caller's trace: refused at the start instead.
CREATE OR REPLACE FUNCTION pgflow._check_traceparent(traceparent text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF traceparent IS NULL THEN
    RETURN;
  END IF;
  IF traceparent !~ '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' THEN
    RAISE EXCEPTION 'traceparent must be a W3C traceparent (00-<32 hex trace id>-<16 hex span id>-<2 hex flags>), got "%"',
      pgflow._excerpt(traceparent)
      USING ERRCODE = '22023',
            DETAIL = 'Version 00 of the traceparent header, lowercase hex, e.g. 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.',
            HINT = 'Pass the traceparent your tracer propagates (OpenTelemetry''s inject()), or NULL for none.';
  END IF;
  IF substr(traceparent, 4, 32) = repeat('0', 32) OR substr(traceparent, 37, 16) = repeat('0', 16) THEN
    RAISE EXCEPTION 'traceparent "%" has an all-zero trace id or span id, which W3C Trace Context makes invalid',
      traceparent
      USING ERRCODE = '22023', HINT = 'Pass the traceparent of a recorded span, or NULL for none.';
  END IF;
END;
$$;
