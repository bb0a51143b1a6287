-- The first half of a fan-out task's completion (see _complete_fan_out_task):
-- locks its counter shard and its task row, stores the output, then decrements its shard of the
-- step's counter (fan_out_shards) and adds the output's jsonb size to the
-- shard's total. `run` is the run as read, locked or not by the caller (lock
-- order: 0000_tables.sql). Returns what happened:
--   'ignored'        the report does not count (stale, late, run stopped: a NOTICE said so);
--   'too_large'      nothing stored: the attempt fails, under the run lock;
--   'stored'         the task completed, others of its shard are still pending;
--   'emptied'        the task completed and emptied its shard: the step may be
--                    done, which is decided under the run lock (_finish_fan_out_step);
--   'over_aggregate' the task completed, but the step's outputs now total more
--                    than one jsonb value can hold: the step fails, under the
--                    run lock (_refuse_aggregate), rather than after its last task.
CREATE OR REPLACE FUNCTION pgflow._store_fan_out_report(
  run pgflow.runs, step_slug text, output jsonb, task_index int, attempt int, lease_token uuid)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_task pgflow.step_tasks;
  v_remaining int;
  v_shard_bytes bigint;
  v_output_bytes int;
BEGIN
  -- The shard before the task row (lock order: 0000_tables.sql).
  PERFORM 1 FROM pgflow.fan_out_shards AS f
   WHERE f.run_id = run.run_id AND f.step_slug = _store_fan_out_report.step_slug
     AND f.shard = _store_fan_out_report.task_index % pgflow._fan_out_shards()
     FOR UPDATE;
  v_task := pgflow._lock_task(run, step_slug, task_index, attempt, 'completion', lease_token);
  IF v_task.run_id IS NULL THEN
    RETURN 'ignored';
  END IF;
  IF pgflow._store_output(v_task, output) IS NULL THEN
    RETURN 'too_large';
  END IF;
  -- The size computed first: Citus evaluates no stable function (pg_column_size)
  -- inside a coalesce in a statement on a distributed table.
  v_output_bytes := coalesce(pg_column_size(_store_fan_out_report.output), 0);
  UPDATE pgflow.fan_out_shards AS f
     SET remaining = f.remaining - 1, output_bytes = f.output_bytes + v_output_bytes
   WHERE f.run_id = v_task.run_id AND f.step_slug = v_task.step_slug
     AND f.shard = v_task.task_index % pgflow._fan_out_shards()
  RETURNING f.remaining, f.output_bytes INTO v_remaining, v_shard_bytes;
  -- The total can only be over the limit when some shard holds more than its
  -- share of it; only then are the other shards summed (most reports read no
  -- other shard).
  IF v_shard_bytes > pgflow._max_aggregate_bytes() / pgflow._fan_out_shards()
     AND (SELECT sum(f.output_bytes) FROM pgflow.fan_out_shards AS f
           WHERE f.run_id = v_task.run_id AND f.step_slug = v_task.step_slug) > pgflow._max_aggregate_bytes() THEN
    RETURN 'over_aggregate';
  END IF;
  RETURN CASE WHEN v_remaining > 0 THEN 'stored' ELSE 'emptied' END;
END;
$$;
