-- Raises the error that says precisely why (run_id, step_slug, task_index) names
-- no task: no such run, no such step in it, the step has not started (or is a
-- signal step, which has none), or no such task index. Called only when the
-- lookup already failed.
CREATE OR REPLACE FUNCTION pgflow._raise_unknown_task(run_id uuid, step_slug text, task_index int)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_flow_slug text;
  v_step_status text;
  v_tasks bigint;
BEGIN
  SELECT r.flow_slug INTO v_flow_slug FROM pgflow.runs AS r WHERE r.run_id = _raise_unknown_task.run_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'run % does not exist', coalesce(run_id::text, 'null')
      USING ERRCODE = 'P0002', HINT = 'Pass the run_id that claim_tasks returned.';
  END IF;
  SELECT ss.status INTO v_step_status FROM pgflow.step_states AS ss
   WHERE ss.run_id = _raise_unknown_task.run_id AND ss.step_slug = _raise_unknown_task.step_slug;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'run % of flow "%" has no step "%"', run_id, v_flow_slug, pgflow._excerpt(coalesce(step_slug, 'null'))
      USING ERRCODE = 'P0002', HINT = 'Pass the step_slug that claim_tasks returned.';
  END IF;
  SELECT count(*) INTO v_tasks FROM pgflow.step_tasks AS t
   WHERE t.run_id = _raise_unknown_task.run_id AND t.step_slug = _raise_unknown_task.step_slug;
  IF v_tasks = 0 AND EXISTS (SELECT 1 FROM pgflow.steps AS s JOIN pgflow.runs AS r
                               ON r.flow_slug = s.flow_slug AND r.flow_version = s.flow_version
                              WHERE r.run_id = _raise_unknown_task.run_id AND s.step_slug = _raise_unknown_task.step_slug
                                AND s.signal) THEN
    RAISE EXCEPTION 'step "%" of run % is a signal step: it has no tasks (the step is %)',
      pgflow._excerpt(step_slug), run_id, v_step_status
      USING ERRCODE = '55000', HINT = 'A signal step completes with pgflow.send_signal(run_id, step_slug, payload).';
  END IF;
  IF v_tasks = 0 THEN
    RAISE EXCEPTION 'step "%" of run % has no tasks (the step is %)', pgflow._excerpt(step_slug), run_id, v_step_status
      USING ERRCODE = '55000', HINT = 'Only tasks returned by claim_tasks can be completed, failed or extended.';
  END IF;
  RAISE EXCEPTION 'step "%" of run % has no task %: its task indexes are 0 to %',
    pgflow._excerpt(step_slug), run_id, coalesce(task_index::text, 'null'), v_tasks - 1
    USING ERRCODE = 'P0002', HINT = 'Pass the task_index that claim_tasks returned.';
END;
$$;
