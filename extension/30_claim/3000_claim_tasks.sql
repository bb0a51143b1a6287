-- Hands up to max_tasks claimable tasks to a worker, each with a lease of its
-- step's timeout (read here, at claim time, and nowhere else).
-- Claimable: queued tasks whose available_at has passed (delays and retry
-- backoff), and started tasks whose lease expired (a new attempt, no backoff).
-- An expired lease is a lost attempt (_expire_lease): it is taken again in this
-- claim, or, on the last attempt, fails the task as timed out. Subflow tasks
-- that came due are driven the same way, whatever flows the claim asks for:
-- a child to start after a delay or a retry's backoff, or the report of a
-- child that ended while its parent was busy (_drive_subflow_task); they are
-- never handed to the worker.
-- Which tasks, under which limits, in which order (priority, keys in turn,
-- oldest first) is _pick_tasks' decision; here they are handed out: started,
-- leased, and counted in the limits they were picked under (held_flow_key,
-- held_step_key; released by _release_limits when they leave started).
-- Every claim gives the task a new lease_token, returned with it: a report that
-- passes it counts only for this claim (see _lock_task).
-- Per-flow grants (flow_grants): a session holding grants is handed tasks of its
-- granted flows only (see _granted_flows).
-- step_keys ('flow_slug/version/step_slug') restricts the claim to the steps a
-- worker's code serves, so runs of an old version only go to workers whose code
-- for those steps is unchanged (version routing).
-- A claim that only hands out tasks, and is the only write of its transaction,
-- commits without waiting for its WAL flush (synchronous_commit off, for that
-- transaction only): losing it in a crash makes its tasks claimable again, as an
-- expired lease would, and the lost claim's worker cannot pass for the next
-- claimer, whose lease_token differs. A claim that decided an outcome (a last
-- attempt timed out: a task failed, maybe its run), or a transaction that wrote
-- before claiming (say, complete_task then claim_tasks, which is how a worker
-- saves a round trip), commits durably: nobody is told (pg_notify) of an outcome
-- a crash could undo; so does a transaction that writes an outcome after its
-- claim (_durable_commit). Signal steps whose deadline passed are failed or
-- skipped first (_apply_signal_deadlines): an outcome too.
-- Never waits on a row lock: tasks are picked with FOR UPDATE SKIP LOCKED, and an
-- expired lease is handled only when its task and run rows are free, so claimers
-- neither block each other nor the writers of a run (lock order: 0000_tables.sql).
-- On Citus (pgflow.distribute()) a claim takes tasks from the shards of the
-- node it runs on only (_expire_local_leases, _claim_local_tasks): workers
-- call it through claim_node_tasks, which Citus routes to a node.
CREATE OR REPLACE FUNCTION pgflow.claim_tasks(
  worker_id text, max_tasks int DEFAULT 10, flow_slugs text[] DEFAULT NULL, step_keys text[] DEFAULT NULL)
RETURNS TABLE (run_id uuid, flow_slug text, step_slug text, task_index int, attempt int, input jsonb,
               flow_version int, lease_expires_at timestamptz, lease_token uuid)
LANGUAGE plpgsql
-- The pick's plans have row estimates of a whole queue part (their LIMITs are
-- parameters), above jit_above_cost: compiling them took 15-600 ms per claim for
-- a few index probes. A claim is a handful of small statements: never JIT.
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
  v_expired record;
  v_claimed int;
  v_picked tid[];
  v_picked_runs uuid[];
  v_granted text[] := pgflow._granted_flows();
  v_lone boolean := pg_current_xact_id_if_assigned() IS NULL;
  v_decided boolean := false;
  v_held_flow_keys text[];
  v_held_step_keys text[];
  v_distributed boolean := pgflow._distributed();
BEGIN
  PERFORM pgflow._check_worker_id(worker_id);
  IF max_tasks IS NULL OR max_tasks < 1 OR max_tasks > 1000 THEN
    RAISE EXCEPTION 'max_tasks must be between 1 and 1000, got %', coalesce(max_tasks::text, 'null')
      USING ERRCODE = '22023', HINT = 'A worker claims at most 1000 tasks per call; call again for more.';
  END IF;
  IF v_granted IS NOT NULL THEN
    flow_slugs := ARRAY(SELECT g FROM unnest(v_granted) AS g
                         WHERE claim_tasks.flow_slugs IS NULL OR g = ANY (claim_tasks.flow_slugs));
  END IF;

  IF v_distributed THEN
    v_decided := pgflow._expire_local_leases(max_tasks, flow_slugs, step_keys);
  ELSE
    FOR v_expired IN
      SELECT t.run_id, t.step_slug, t.task_index, t.attempt
        FROM pgflow.step_tasks AS t
       WHERE t.status = 'started' AND t.available_at <= now()
         AND ((flow_slugs IS NULL OR t.flow_slug = ANY (flow_slugs))
              AND (step_keys IS NULL OR t.flow_slug || '/' || t.flow_version || '/' || t.step_slug = ANY (step_keys))
              -- A due subflow task (a child to start, a child's report) is
              -- engine work, no worker's: any claim drives it. (The value of
              -- pgflow._subflow_holder(), as a literal: planning calls nothing.)
              OR t.worker_id = 'pgflow:subflow')
       ORDER BY t.available_at
       LIMIT max_tasks
         FOR UPDATE OF t SKIP LOCKED
    LOOP
      v_decided := pgflow._expire_lease(v_expired.run_id, v_expired.step_slug, v_expired.task_index,
                                        v_expired.attempt) = 'decided' OR v_decided;
    END LOOP;
  END IF;
  -- Signal deadlines are enforced here, so no cron job is needed; looked at
  -- most once a second per session (_signal_deadlines_due: an expression).
  -- (Not on Citus, where signal steps are refused: _refuse_on_citus.)
  IF NOT v_distributed AND pgflow._signal_deadlines_due() THEN
    v_decided := pgflow._apply_signal_deadlines() > 0 OR v_decided;
  END IF;
  IF v_lone AND NOT v_decided THEN
    PERFORM set_config('pgflow.synchronous_commit_of_claim', current_setting('synchronous_commit'), true);
    PERFORM set_config('synchronous_commit', 'off', true);
  END IF;

  IF v_distributed THEN
    RETURN QUERY SELECT * FROM pgflow._claim_local_tasks(worker_id, max_tasks, flow_slugs, step_keys);
    GET DIAGNOSTICS v_claimed = ROW_COUNT;
    IF v_claimed < max_tasks THEN
      PERFORM pgflow._rearm_worker(worker_id);
    END IF;
    RETURN;
  END IF;

  -- By row version (ctid), so the update is a TID scan of what was picked; the
  -- run id names the partition (partitioned history: a ctid is per partition).
  SELECT array_agg(p.task), array_agg(p.task_run_id), array_agg(p.held_flow_key), array_agg(p.held_step_key)
    INTO v_picked, v_picked_runs, v_held_flow_keys, v_held_step_keys
    FROM pgflow._pick_tasks(max_tasks, flow_slugs, step_keys) AS p;

  RETURN QUERY
  WITH claimed AS (
    UPDATE pgflow.step_tasks AS t
       SET status = 'started', attempt = t.attempt + 1, worker_id = claim_tasks.worker_id,
           started_at = now(), lease_token = gen_random_uuid(),
           available_at = now() + make_interval(secs => (
             SELECT o.timeout FROM pgflow._step_options(t.flow_slug, t.flow_version, t.step_slug) AS o)),
           held_flow_key = p.held_flow_key, held_step_key = p.held_step_key
      FROM unnest(v_picked, v_picked_runs, v_held_flow_keys, v_held_step_keys) AS p(task, run_id, held_flow_key,
                                                                                   held_step_key)
     WHERE t.ctid = p.task AND t.run_id = p.run_id
    RETURNING t.run_id, t.flow_slug, t.step_slug, t.task_index, t.attempt, t.flow_version,
              t.available_at, t.item, t.lease_token)
  SELECT c.run_id, c.flow_slug, c.step_slug, c.task_index, c.attempt,
         CASE WHEN c.item IS NOT NULL THEN jsonb_build_object('item', c.item, 'index', c.task_index)
              ELSE pgflow._step_input(c.run_id, c.flow_slug, c.flow_version, c.step_slug,
                                      (SELECT r.input FROM pgflow.runs AS r WHERE r.run_id = c.run_id)) END,
         c.flow_version, c.available_at, c.lease_token
    FROM claimed AS c;
  GET DIAGNOSTICS v_claimed = ROW_COUNT;
  IF v_claimed < max_tasks THEN
    PERFORM pgflow._rearm_worker(worker_id);  -- it has room: wake it when work comes
  END IF;
END;
$$;
