-- Bounds of the tunable options; `what` names the flow or step in the message.
-- NULL means "inherit" for steps; create_flow passes its defaults, never NULL.
CREATE OR REPLACE FUNCTION pgflow._check_options(
  what text, max_attempts int, base_delay int, timeout int, delay_seconds int DEFAULT 0,
  max_concurrency int DEFAULT NULL, max_output_bytes int DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF max_attempts < 1 THEN
    RAISE EXCEPTION 'max_attempts of % must be at least 1, got %', what, max_attempts
      USING ERRCODE = '22023', HINT = 'max_attempts counts the first attempt: 1 means no retries.';
  END IF;
  IF base_delay < 0 THEN
    RAISE EXCEPTION 'base_delay of % must be at least 0 seconds, got %', what, base_delay
      USING ERRCODE = '22023', HINT = 'Attempt n is retried after base_delay * 2^(n-1) seconds.';
  END IF;
  IF timeout < 1 THEN
    RAISE EXCEPTION 'timeout of % must be at least 1 second, got %', what, timeout
      USING ERRCODE = '22023', HINT = 'timeout is the lease a worker gets on a task; extend_lease renews it.';
  END IF;
  IF delay_seconds IS NULL OR delay_seconds < 0 THEN
    RAISE EXCEPTION 'delay_seconds of % must be at least 0, got %', what, coalesce(delay_seconds::text, 'null')
      USING ERRCODE = '22023';
  END IF;
  IF max_concurrency < 1 THEN
    RAISE EXCEPTION 'max_concurrency of % must be at least 1, got %', what, max_concurrency
      USING ERRCODE = '22023', HINT = 'Leave it null for no limit.';
  END IF;
  IF max_output_bytes < 1 THEN
    RAISE EXCEPTION 'max_output_bytes of % must be at least 1, got %', what, max_output_bytes
      USING ERRCODE = '22023', HINT = 'Leave it null for the default (1 MiB, or the flow''s).';
  END IF;
END;
$$;
