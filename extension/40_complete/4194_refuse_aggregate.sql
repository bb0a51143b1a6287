-- A fan-out step whose task outputs total more jsonb bytes than its output, one
-- array of them, can hold (pgflow._max_aggregate_bytes()): the step fails and
-- with it the run, with an error naming the step, the size and the limit. It is
-- called as soon as a report pushes the total over (not after the last task),
-- so no more work is spent on a step that cannot complete. Callers hold the run
-- row lock; a run or step that ended meanwhile is left as it is. jsonb_error:
-- what jsonb said, when building the array failed although the running total
-- was under the limit.
CREATE OR REPLACE FUNCTION pgflow._refuse_aggregate(run pgflow.runs, step_slug text, jsonb_error text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_bytes bigint;
  v_done bigint;
  v_tasks bigint;
BEGIN
  IF run.status <> 'started' OR NOT EXISTS (
       SELECT 1 FROM pgflow.step_states AS ss
        WHERE ss.run_id = run.run_id AND ss.step_slug = _refuse_aggregate.step_slug AND ss.status = 'started') THEN
    RETURN;
  END IF;
  SELECT sum(f.output_bytes)::bigint INTO v_bytes FROM pgflow.fan_out_shards AS f
   WHERE f.run_id = run.run_id AND f.step_slug = _refuse_aggregate.step_slug;
  SELECT count(*) FILTER (WHERE t.status = 'completed'), count(*) INTO v_done, v_tasks
    FROM pgflow.step_tasks AS t WHERE t.run_id = run.run_id AND t.step_slug = _refuse_aggregate.step_slug;
  RAISE WARNING 'pgflow: fan-out step "%" of run % cannot be aggregated: its outputs total % bytes, over %',
    step_slug, run.run_id, v_bytes, pgflow._max_aggregate_bytes();
  PERFORM pgflow._fail_run(run.run_id, step_slug,
    format('fan-out step "%s" cannot aggregate its outputs: after %s of %s tasks they total %s bytes as jsonb; '
           'its output, one jsonb array of them, can hold %s bytes at most; return smaller outputs (e.g. references to '
           'where the data is) or split the fan-out%s', step_slug, v_done, v_tasks, v_bytes,
           pgflow._max_aggregate_bytes(), ' (jsonb: ' || jsonb_error || ')'));
END;
$$;
