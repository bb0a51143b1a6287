-- Raises unless one report of complete_tasks is well formed: a JSON object with
-- a "run_id" (a UUID string) and a "step_slug" (a string), optional integer
-- "task_index" and "attempt", any "output", an optional "lease_token", and no
-- other key, so a misspelt "output" is refused rather than completing the task
-- with NULL. `what` names the report in messages ("report #3 of tasks").
CREATE OR REPLACE FUNCTION pgflow._check_report(report jsonb, what text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  c_keys constant text[] := ARRAY['run_id', 'step_slug', 'output', 'task_index', 'attempt', 'lease_token'];
  v_unknown text;
  v_run_id text;
BEGIN
  IF jsonb_typeof(report) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION '% must be a JSON object, got % %', what, coalesce(jsonb_typeof(report), 'null'),
      pgflow._excerpt(coalesce(report::text, 'null'))
      USING ERRCODE = '22023',
            HINT = 'Each report is {"run_id": "...", "step_slug": "a", "output": ..., "task_index": 0, "attempt": 1}.';
  END IF;
  SELECT string_agg(format('"%s"', pgflow._excerpt(k)), ', ' ORDER BY k) INTO v_unknown
    FROM jsonb_object_keys(report) AS k WHERE k <> ALL (c_keys);
  IF v_unknown IS NOT NULL THEN
    RAISE EXCEPTION 'unknown key % in % of complete_tasks', pgflow._excerpt(v_unknown, 400), what
      USING ERRCODE = '22023', HINT = 'Allowed keys: ' || array_to_string(c_keys, ', ') || '.';
  END IF;
  v_run_id := pgflow._json_field(report, 'run_id', 'string', what) #>> '{}';
  IF v_run_id IS NULL THEN
    RAISE EXCEPTION '% has no "run_id"', what USING ERRCODE = '22023',
      HINT = 'Pass the run_id that claim_tasks returned.';
  END IF;
  IF v_run_id !~* '^\{?[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}\}?$' THEN
    RAISE EXCEPTION 'run_id of % must be a UUID, got "%"', what, pgflow._excerpt(v_run_id)
      USING ERRCODE = '22023', HINT = 'Pass the run_id that claim_tasks returned.';
  END IF;
  IF pgflow._json_field(report, 'step_slug', 'string', what) IS NULL THEN
    RAISE EXCEPTION '% has no "step_slug"', what USING ERRCODE = '22023',
      HINT = 'Pass the step_slug that claim_tasks returned.';
  END IF;
  PERFORM pgflow._json_field(report, 'task_index', 'integer', what);
  PERFORM pgflow._json_field(report, 'attempt', 'integer', what);
END;
$$;
