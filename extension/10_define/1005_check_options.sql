-- Bounds of the tunable options; `what` names the flow or step in the message.
-- NULL means "inherit" for steps; create_flow passes its defaults, never NULL.
CREATE OR REPLACE FUNCTION pgflow._check_options(
  what text, max_attempts int, base_delay int, timeout int, delay_seconds int DEFAULT 0,
  max_concurrency int DEFAULT NULL, max_output_bytes int DEFAULT NULL,
  rate_limit int DEFAULT NULL, rate_period int DEFAULT NULL, limit_key text DEFAULT NULL)
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
  IF (rate_limit IS NULL) <> (rate_period IS NULL) THEN
    RAISE EXCEPTION 'rate_limit of % needs rate_period, and rate_period needs rate_limit (got %, %)', what,
      coalesce(rate_limit::text, 'null'), coalesce(rate_period::text, 'null')
      USING ERRCODE = '22023',
            HINT = 'At most rate_limit tasks start in any rate_period seconds, e.g. rate_limit => 10, rate_period => 60.';
  END IF;
  IF rate_limit < 1 THEN
    RAISE EXCEPTION 'rate_limit of % must be at least 1, got %', what, rate_limit
      USING ERRCODE = '22023', HINT = 'Leave it null for no rate limit.';
  END IF;
  IF rate_period < 1 THEN
    RAISE EXCEPTION 'rate_period of % must be at least 1 second, got %', what, rate_period USING ERRCODE = '22023';
  END IF;
  IF limit_key !~ '^[^.]+(\.[^.]+)*$' THEN
    RAISE EXCEPTION 'limit_key of % must be a dotted path into the run input such as customer.id, got "%"',
      what, limit_key
      USING ERRCODE = '22023', DETAIL = 'Path segments are separated by single dots and may not be empty.';
  END IF;
END;
$$;
