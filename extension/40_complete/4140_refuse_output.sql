-- A completion whose output is over the step's max_output_bytes: nothing is
-- stored, the attempt fails with the size and the limit (and retries per the
-- step's policy). Callers hold the run and task row locks.
CREATE OR REPLACE FUNCTION pgflow._refuse_output(run pgflow.runs, task pgflow.step_tasks, output jsonb)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_limit int;
  v_bytes int := coalesce(octet_length(output::text), 0);
BEGIN
  SELECT coalesce(s.max_output_bytes, f.max_output_bytes) INTO STRICT v_limit
    FROM pgflow.steps AS s JOIN pgflow.flows AS f ON f.flow_slug = s.flow_slug AND f.version = s.flow_version
   WHERE s.flow_slug = task.flow_slug AND s.flow_version = task.flow_version AND s.step_slug = task.step_slug;
  RAISE WARNING 'pgflow: output of task % of step "%" in run % is % bytes, over max_output_bytes %: attempt % fails',
    task.task_index, task.step_slug, task.run_id, v_bytes, v_limit, task.attempt;
  RETURN pgflow._fail_attempt(run, task,
    format('output too large: %s bytes, max_output_bytes is %s', v_bytes, v_limit), 'OutputTooLarge');
END;
$$;
