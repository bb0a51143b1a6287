-- An attempt of a started task failed (fail_task, an output refused, or its
-- lease expired: _expire_lease). With attempts left (_attempts_used_up) the
-- task is queued again, claimable
-- at retry_at (default: after base_delay * 2^(attempt-1) seconds); otherwise it
-- fails and its step follows when_exhausted: fail (the run fails), skip or
-- skip-cascade (the step's other tasks are cancelled and the skip recorded with
-- the last error).
-- Every failed attempt is also kept in task_attempts, with what the worker sent.
-- Callers hold the task row lock and checked the task is started, and hold the
-- run row lock too unless the task has attempts left (a retry changes nothing
-- but the task row; run is NULL then).
CREATE OR REPLACE FUNCTION pgflow._fail_attempt(
  run pgflow.runs, task pgflow.step_tasks, error_message text,
  error_type text DEFAULT NULL, error_details text DEFAULT NULL, retry_at timestamptz DEFAULT NULL)
RETURNS pgflow.step_tasks
LANGUAGE plpgsql AS $$
DECLARE
  v_options record;
  v_backoff double precision;
  v_available timestamptz;
  v_reason text;
BEGIN
  INSERT INTO pgflow.task_attempts (run_id, step_slug, task_index, attempt, worker_id, started_at,
                                    error_type, error_message, error_details)
  VALUES (task.run_id, task.step_slug, task.task_index, task.attempt, task.worker_id, task.started_at,
          _fail_attempt.error_type, _fail_attempt.error_message, _fail_attempt.error_details);
  SELECT o.* INTO STRICT v_options FROM pgflow._step_options(task.flow_slug, task.flow_version, task.step_slug) AS o;

  IF NOT pgflow._attempts_used_up(task) THEN
    -- Capped so a large max_attempts cannot overflow the interval.
    v_backoff := least(v_options.base_delay * power(2::double precision, task.attempt - task.attempts_before_retry - 1),
                       2147483647);
    -- Computed first: in a statement on a distributed table Citus evaluates no
    -- volatile or stable expression inside a coalesce.
    v_available := coalesce(retry_at, now() + make_interval(secs => v_backoff));
    IF task.worker_id = pgflow._subflow_holder() THEN
      -- A subflow task's next attempt is a new child: it stays started, waiting
      -- for it (no lease_token, the next attempt's number), which starts now
      -- without a backoff, else when claim_tasks finds it due (_start_children).
      UPDATE pgflow.step_tasks AS t
         SET error_message = _fail_attempt.error_message, attempt = t.attempt + 1, lease_token = NULL,
             started_at = now(), available_at = v_available
       WHERE t.run_id = task.run_id AND t.step_slug = task.step_slug AND t.task_index = task.task_index
      RETURNING * INTO task;
      IF task.available_at <= now() AND run.run_id IS NOT NULL THEN
        PERFORM pgflow._start_child(run, task);
        task := pgflow._task(task.run_id, task.step_slug, task.task_index);
      END IF;
      RETURN task;
    END IF;
    UPDATE pgflow.step_tasks AS t
       SET status = 'queued', error_message = _fail_attempt.error_message, available_at = v_available
     WHERE t.run_id = task.run_id AND t.step_slug = task.step_slug AND t.task_index = task.task_index
    RETURNING * INTO task;
    IF retry_at IS NULL AND v_backoff = 0 THEN
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
  IF v_options.when_exhausted = 'fail' THEN
    PERFORM pgflow._fail_run(run.run_id, task.step_slug, v_reason);
  ELSE
    PERFORM pgflow._cancel_tasks(task.run_id, task.step_slug);
    PERFORM pgflow._start_steps(run, pgflow._skip_steps(run, task.step_slug,
      format('%s (when_exhausted = %s)', v_reason, v_options.when_exhausted), v_options.when_exhausted = 'skip-cascade'));
  END IF;
  RETURN task;
END;
$$;
