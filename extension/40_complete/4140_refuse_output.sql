-- A completion whose output is over the step's max_output_bytes: nothing is
-- stored, the attempt fails with the size and the limit (and retries per the
-- step's policy). Callers hold the run and task row locks; the run is checked
-- here, under its lock, because a fan-out completion decided "too large"
-- before it had the run lock: a report to a run that ended meanwhile changes
-- nothing (a NOTICE says so) and the task is returned as it stands.
CREATE OR REPLACE FUNCTION pgflow._refuse_output(run pgflow.runs, task pgflow.step_tasks, output jsonb)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_limit int;
  v_bytes int := coalesce(octet_length(output::text), 0);
BEGIN
  IF run.status <> 'started' OR task.status <> 'started' THEN
    RAISE NOTICE 'pgflow: ignored the completion of task % of step "%" in run %: the run is %, the task %',
      task.task_index, task.step_slug, task.run_id, run.status, task.status;
    RETURN task;
  END IF;
  SELECT o.max_output_bytes INTO STRICT v_limit
    FROM pgflow._step_options(task.flow_slug, task.flow_version, task.step_slug) AS o;
  RAISE WARNING 'pgflow: output of task % of step "%" in run % is % bytes, over max_output_bytes %: attempt % fails',
    task.task_index, task.step_slug, task.run_id, v_bytes, v_limit, task.attempt;
  RETURN pgflow._fail_attempt(run, task,
    format('output too large: %s bytes, max_output_bytes is %s', v_bytes, v_limit), 'OutputTooLarge');
END;
$$;
