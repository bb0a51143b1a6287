-- Starts steps whose dependencies have all settled (ready). For each: evaluate
-- run_if/run_unless against its input; if unmet, apply when_unmet; otherwise
-- create its tasks, claimable after delay_seconds: one task, or for a fan-out one
-- per element of its dependency's array output, in one set-based INSERT; a
-- signal step makes no task and waits for its signal (_await_signal). A step
-- that settles at once (skipped, or a fan-out over nothing) releases dependents,
-- which join the same worklist: no recursion, so long chains of skips are fine.
-- Callers hold the run's row lock. Listening workers are woken once at the end.
-- A step started again after retry_run finds its old task rows: they are
-- re-queued in place, their attempt numbers continuing (see attempts_before_retry);
-- a fan-out's counter shards are laid out anew, and tasks beyond its new length
-- (its dependency may have returned a shorter array this time) are removed, so
-- nothing from the earlier start is left to wait for.
-- A subflow step's tasks are not claimed: _start_children hands each to a
-- child run (after the step's delay), once the step is started.
-- (queued_at = excluded.queued_at, not now(): Citus takes only immutable
-- functions in a DO UPDATE SET, and excluded's default is the same now().)
CREATE OR REPLACE FUNCTION pgflow._start_steps(run pgflow.runs, ready text[])
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_queue text[] := ready;
  v_head int := 1;
  -- The step's definition, and the values of the run input at the flow's and
  -- the step's limit_key ('' without one): tasks carry them, the claim index
  -- is split by them (turns), and the claim counts them in their key's limits.
  -- One statement per step: the hot path of every completion.
  v_step record;
  v_input jsonb;
  v_unmet text;
  v_source_slug text;
  v_source pgflow.step_states;
  v_tasks int;
  v_claimable_now boolean := false;
BEGIN
  WHILE v_head <= cardinality(v_queue) LOOP
    SELECT s.*,
           coalesce(run.input #>> (SELECT l.limit_key FROM pgflow.flow_limits AS l
                                    WHERE l.flow_slug = run.flow_slug AND l.step_slug = ''), '') AS flow_key,
           coalesce(run.input #>> (SELECT l.limit_key FROM pgflow.flow_limits AS l
                                    WHERE l.flow_slug = run.flow_slug AND l.step_slug = s.step_slug), '') AS step_key
      INTO STRICT v_step FROM pgflow.steps AS s
     WHERE s.flow_slug = run.flow_slug AND s.flow_version = run.flow_version AND s.step_slug = v_queue[v_head];
    v_head := v_head + 1;

    v_unmet := NULL;
    IF v_step.run_if IS NOT NULL OR v_step.run_unless IS NOT NULL THEN
      v_input := pgflow._step_input(run.run_id, run.flow_slug, run.flow_version, v_step.step_slug, run.input);
      IF NOT v_input @> coalesce(v_step.run_if, '{}') THEN
        v_unmet := format('run_if %s is not met: the input does not contain it', v_step.run_if);
      ELSIF v_input @> v_step.run_unless THEN
        v_unmet := format('run_unless %s is met: the input contains it', v_step.run_unless);
      END IF;
    END IF;
    IF v_unmet IS NOT NULL THEN
      IF v_step.when_unmet = 'fail' THEN
        PERFORM pgflow._fail_run(run.run_id, v_step.step_slug,
                                 format('step "%s": %s (when_unmet = fail)', v_step.step_slug, v_unmet));
        RETURN;
      END IF;
      v_queue := v_queue || pgflow._skip_steps(run, v_step.step_slug, v_unmet,
                                               v_step.when_unmet = 'skip-cascade');
      CONTINUE;
    END IF;

    IF v_step.signal THEN
      -- No task: it waits for send_signal, or takes the signal kept for it.
      v_queue := v_queue || pgflow._await_signal(run, v_step.step_slug, v_step.signal_timeout);
      CONTINUE;
    END IF;

    IF v_step.fan_out THEN
      SELECT d.dep_slug INTO STRICT v_source_slug FROM pgflow.deps AS d
       WHERE d.flow_slug = run.flow_slug AND d.flow_version = run.flow_version AND d.step_slug = v_step.step_slug;
      SELECT ss.* INTO STRICT v_source FROM pgflow.step_states AS ss
       WHERE ss.run_id = run.run_id AND ss.step_slug = v_source_slug;
      IF v_source.status = 'completed' AND coalesce(jsonb_typeof(v_source.output), 'null') <> 'array' THEN
        PERFORM pgflow._fail_run(run.run_id, v_step.step_slug,
          format('fan-out step "%s" needs an array from step "%s", got %s',
                 v_step.step_slug, v_source_slug, coalesce(jsonb_typeof(v_source.output), 'null')));
        RETURN;
      END IF;
      -- A skipped source fans out over nothing.
      v_tasks := CASE WHEN v_source.status = 'completed' THEN jsonb_array_length(v_source.output) ELSE 0 END;
      -- Shards before task rows (lock order: 0000_tables.sql).
      DELETE FROM pgflow.fan_out_shards AS f WHERE f.run_id = run.run_id AND f.step_slug = v_step.step_slug;
      INSERT INTO pgflow.step_tasks AS t (run_id, step_slug, task_index, flow_slug, flow_version, item, available_at,
                                          priority, flow_key, step_key)
      SELECT run.run_id, v_step.step_slug, (e.i - 1)::int, run.flow_slug, run.flow_version, e.item,
             now() + make_interval(secs => v_step.delay_seconds), run.priority, v_step.flow_key, v_step.step_key
        FROM jsonb_array_elements(CASE WHEN v_tasks > 0 THEN v_source.output ELSE '[]' END)
             WITH ORDINALITY AS e(item, i)
      ON CONFLICT ON CONSTRAINT step_tasks_pkey DO UPDATE
         SET status = 'queued', item = excluded.item, available_at = excluded.available_at,
             attempts_before_retry = t.attempt, queued_at = excluded.queued_at, output = NULL, error_message = NULL,
             worker_id = NULL, started_at = NULL, finished_at = NULL, lease_token = NULL;
      DELETE FROM pgflow.step_tasks AS t
       WHERE t.run_id = run.run_id AND t.step_slug = v_step.step_slug AND t.task_index >= v_tasks;
      INSERT INTO pgflow.fan_out_shards (run_id, step_slug, shard, remaining)
      SELECT run.run_id, v_step.step_slug, i % pgflow._fan_out_shards(), count(*)
        FROM generate_series(0, v_tasks - 1) AS i
       GROUP BY i % pgflow._fan_out_shards();
    ELSE
      v_tasks := 1;
      INSERT INTO pgflow.step_tasks AS t (run_id, step_slug, flow_slug, flow_version, available_at,
                                          priority, flow_key, step_key)
      VALUES (run.run_id, v_step.step_slug, run.flow_slug, run.flow_version,
              now() + make_interval(secs => v_step.delay_seconds), run.priority, v_step.flow_key, v_step.step_key)
      ON CONFLICT ON CONSTRAINT step_tasks_pkey DO UPDATE
         SET status = 'queued', available_at = excluded.available_at, attempts_before_retry = t.attempt,
             queued_at = excluded.queued_at, output = NULL, error_message = NULL, worker_id = NULL, started_at = NULL,
             finished_at = NULL, lease_token = NULL;
    END IF;

    IF v_tasks = 0 THEN
      -- A fan-out over nothing completes at once with [].
      v_queue := v_queue || pgflow._complete_step(run, v_step.step_slug, '[]'::jsonb);
    ELSE
      UPDATE pgflow.step_states AS ss SET status = 'started', started_at = now(), remaining_tasks = v_tasks
       WHERE ss.run_id = run.run_id AND ss.step_slug = v_step.step_slug;
      IF v_step.subflow IS NULL THEN
        v_claimable_now := v_claimable_now OR v_step.delay_seconds = 0;
      ELSE
        -- No worker claims these tasks: each is an attempt by a child run. A
        -- child that ends at once may already have settled this step, or
        -- stopped this run.
        IF NOT pgflow._start_children(run, v_step.step_slug, v_step.delay_seconds) THEN
          RETURN;
        END IF;
      END IF;
    END IF;
  END LOOP;
  IF v_claimable_now THEN
    PERFORM pgflow._wake_workers(run.flow_slug);
  END IF;
END;
$$;
