-- Whether a task's attempt budget is spent: attempts since the last retry_run
-- (attempts_before_retry) reached the step's effective max_attempts. The one
-- place that says so (_fail_attempt, _expire_lease).
CREATE OR REPLACE FUNCTION pgflow._attempts_used_up(task pgflow.step_tasks)
RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT task.attempt - task.attempts_before_retry >= o.max_attempts
    FROM pgflow._step_options(task.flow_slug, task.flow_version, task.step_slug) AS o
$$;
