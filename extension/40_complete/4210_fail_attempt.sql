-- An attempt of a started task failed (fail_task, or its lease expired on the
-- last attempt). With attempts left the task is queued again after
-- base_delay * 2^(attempt-1) seconds; otherwise it fails and its step follows
-- when_exhausted: fail (the run fails), skip or skip-cascade (the step's other
-- tasks are cancelled and the skip recorded with the last error).
-- Every failed attempt is also kept in task_attempts, with what the worker sent.
-- Callers hold the run and task row locks and checked the task is started.
CREATE OR REPLACE FUNCTION pgflow._fail_attempt(
  run pgflow.runs, task pgflow.step_tasks, error_message text,
  error_type text DEFAULT NULL, error_details text DEFAULT NULL)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_max_attempts int;
  v_base_delay int;
  v_when_exhausted text;
  v_backoff double precision;
  v_reason text;
BEGIN
  INSERT INTO pgflow.task_attempts (run_id, step_slug, task_index, attempt, worker_id, started_at,
                                    error_type, error_message, error_details)
  VALUES (task.run_id, task.step_slug, task.task_index, task.attempt, task.worker_id, task.started_at,
          _fail_attempt.error_type, _fail_attempt.error_message, _fail_attempt.error_details);
  SELECT coalesce(s.max_attempts, f.max_attempts), coalesce(s.base_delay, f.base_delay), s.when_exhausted
    INTO STRICT v_max_attempts, v_base_delay, v_when_exhausted
    FROM pgflow.steps AS s JOIN pgflow.flows AS f ON f.flow_slug = s.flow_slug AND f.version = s.flow_version
   WHERE s.flow_slug = task.flow_slug AND s.flow_version = task.flow_version AND s.step_slug = task.step_slug;

  IF task.attempt - task.attempts_before_retry < v_max_attempts THEN
    -- Capped so a large max_attempts cannot overflow the interval.
    v_backoff := least(v_base_delay * power(2::double precision, task.attempt - task.attempts_before_retry - 1),
                       2147483647);
    UPDATE pgflow.step_tasks AS t
       SET status = 'queued', error_message = _fail_attempt.error_message,
           available_at = now() + make_interval(secs => v_backoff)
     WHERE t.run_id = task.run_id AND t.step_slug = task.step_slug AND t.task_index = task.task_index
    RETURNING * INTO task;
    IF v_backoff = 0 THEN
      PERFORM pgflow._wake_workers(task.flow_slug);
    END IF;
    RETURN task;
  END IF;

  UPDATE pgflow.step_tasks AS t
     SET status = 'failed', error_message = _fail_attempt.error_message, finished_at = now()
   WHERE t.run_id = task.run_id AND t.step_slug = task.step_slug AND t.task_index = task.task_index
  RETURNING * INTO task;
  v_reason := format('task %s of step "%s" failed after %s attempt%s: %s', task.task_index, task.step_slug,
                     task.attempt - task.attempts_before_retry,
                     CASE WHEN task.attempt - task.attempts_before_retry = 1 THEN '' ELSE 's' END, error_message);
  IF v_when_exhausted = 'fail' THEN
    PERFORM pgflow._fail_run(run.run_id, task.step_slug, v_reason);
  ELSE
    PERFORM pgflow._cancel_tasks(task.run_id, task.step_slug);
    PERFORM pgflow._start_steps(run, pgflow._skip_steps(run, task.step_slug,
      format('%s (when_exhausted = %s)', v_reason, v_when_exhausted), v_when_exhausted = 'skip-cascade'));
  END IF;
  RETURN task;
END;
$$;
