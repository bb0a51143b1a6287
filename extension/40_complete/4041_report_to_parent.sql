-- A child run ended (completed: _settle; failed or cancelled: _stop_run),
-- holding its own run row: tell its parent, in this transaction when the
-- parent's run row is free. It is taken NOWAIT, because its holder may be
-- waiting for this child (a parent cancelling its children: lock order,
-- 0000_tables.sql). And what the report then does to the parent (complete its
-- step, start its dependents, or fail it and cancel its other children) waits
-- at most 50 ms for any lock: the rows it waits for come before this child's
-- in the lock order (another child of the parent, say), so a longer wait could
-- close a cycle. Busy either way: all of the parent's part is undone, and the
-- report is left on the parent's task (made due, like an expired lease, its
-- row taken NOWAIT too); the next claim_tasks applies it under the parent's
-- locks (_drive_subflow_task), within a poll interval of any worker. A task
-- row that is busy as well is being changed by a writer of the parent run
-- (cancelling it with its children): nothing is left to report then.
CREATE OR REPLACE FUNCTION pgflow._report_to_parent(child_run_id uuid)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_child pgflow.runs;
  v_parent pgflow.runs;
  v_lock_timeout text := current_setting('lock_timeout');
BEGIN
  SELECT r.* INTO STRICT v_child FROM pgflow.runs AS r WHERE r.run_id = child_run_id;
  BEGIN
    PERFORM set_config('lock_timeout', '50ms', true);
    SELECT r.* INTO v_parent FROM pgflow.runs AS r WHERE r.run_id = v_child.parent_run_id FOR NO KEY UPDATE NOWAIT;
    IF FOUND THEN
      PERFORM pgflow._apply_child_outcome(v_parent, v_child);
    END IF;
    PERFORM set_config('lock_timeout', v_lock_timeout, true);
  EXCEPTION WHEN lock_not_available THEN
    -- (The subtransaction's rollback restored lock_timeout.)
    BEGIN
      PERFORM 1 FROM pgflow.step_tasks AS t
       WHERE t.run_id = v_child.parent_run_id AND t.step_slug = v_child.parent_step_slug
         AND t.task_index = v_child.parent_task_index AND t.status = 'started' AND t.lease_token = v_child.run_id
         FOR UPDATE NOWAIT;
      IF FOUND THEN
        UPDATE pgflow.step_tasks AS t SET available_at = now()
         WHERE t.run_id = v_child.parent_run_id AND t.step_slug = v_child.parent_step_slug
           AND t.task_index = v_child.parent_task_index;
      END IF;
    EXCEPTION WHEN lock_not_available THEN
      NULL;
    END;
  END;
END;
$$;
