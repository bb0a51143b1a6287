-- Least privilege. Three roles, nothing for PUBLIC:
--   pgflow_reader  reads the state tables (and flow_definition);
--   pgflow_worker  claims, completes, fails and extends leases, ticks the
--                  schedules (tick starts their due runs), reads a run's
--                  input and trace context (run_input, run_traceparent) and
--                  the step shapes it routes by
--                  (step_shapes): nothing else, not even the tables;
--   pgflow_admin   defines and operates flows, grants flows to worker roles
--                  (grant_flow, revoke_flow), and reads state.
-- The API functions are SECURITY DEFINER with a pinned search_path, so granted
-- roles need no privilege on the tables; the internal (_-prefixed) functions are
-- not executable by anyone but the owner. Only the Citus functions (60_citus)
-- build dynamic SQL, from Citus' catalog (shard and function names), never
-- from arguments; pgflow.distribute() is the owner's (a superuser's) alone.
DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgflow_reader') THEN
    CREATE ROLE pgflow_reader NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgflow_worker') THEN
    CREATE ROLE pgflow_worker NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgflow_admin') THEN
    CREATE ROLE pgflow_admin NOLOGIN;
  END IF;
END
$roles$;

REVOKE ALL ON SCHEMA pgflow FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA pgflow FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA pgflow FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA pgflow FROM PUBLIC;

GRANT USAGE ON SCHEMA pgflow TO pgflow_reader, pgflow_worker, pgflow_admin;
GRANT SELECT ON ALL TABLES IN SCHEMA pgflow TO pgflow_reader;
GRANT pgflow_reader TO pgflow_admin;

DO $api$
DECLARE
  v_function regprocedure;
BEGIN
  FOR v_function IN
    SELECT p.oid::regprocedure FROM pg_proc AS p
     WHERE p.pronamespace = 'pgflow'::regnamespace AND p.proname !~ '^_'
  LOOP
    EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = pg_catalog, pg_temp', v_function);
  END LOOP;
END
$api$;

GRANT EXECUTE ON FUNCTION
  pgflow.claim_tasks(text, int, text[], text[]),
  pgflow.complete_tasks(jsonb),
  pgflow.worker_heartbeat(text, text[], boolean),
  pgflow.complete_task(uuid, text, jsonb, int, int, uuid),
  pgflow.fail_task(uuid, text, text, int, int, text, text, uuid),
  pgflow.extend_lease(uuid, text, int, int, int, uuid),
  pgflow.run_input(uuid),
  pgflow.run_traceparent(uuid),
  pgflow.step_shapes(text[]),
  pgflow.tick(timestamptz),
  pgflow.claim_node_tasks(uuid, text, int, text[], text[]),
  pgflow.citus_routes()
  TO pgflow_worker;
GRANT EXECUTE ON FUNCTION pgflow.flow_definition(text, int), pgflow.step_shapes(text[]) TO pgflow_reader;
-- Waiting for a run (client.wait_for_run) is reading: watch_run only asks for its end to be notified.
GRANT EXECUTE ON FUNCTION pgflow.watch_run(uuid) TO pgflow_reader;
GRANT EXECUTE ON FUNCTION pgflow.version() TO pgflow_reader, pgflow_worker, pgflow_admin;
-- The run id a keyed start gets on Citus: computing it is no privilege.
GRANT EXECUTE ON FUNCTION pgflow.idempotent_run_id(text, text) TO pgflow_reader, pgflow_worker, pgflow_admin;
GRANT EXECUTE ON FUNCTION
  pgflow.create_flow(text, int, int, int, int, int, int, int, text),
  pgflow.add_step(text, text, text[], int, int, int, int, boolean, jsonb, jsonb, text, text, int, int, int, int, text,
                  boolean, int, text),
  pgflow.define_flow(jsonb),
  pgflow.start_flow(text, jsonb, uuid, text, int, text),
  pgflow.start_flow_routed(uuid, text, jsonb, text, int, text),
  pgflow.start_flows(text, jsonb, text[], int, text),
  pgflow.cancel_run(uuid, text),
  pgflow.retry_run(uuid),
  pgflow.prune(interval, int),
  pgflow.grant_flow(text, text),
  pgflow.revoke_flow(text, text),
  pgflow.schedule(text, text, jsonb, text, text),
  pgflow.unschedule(text),
  pgflow.sync_schedules(text, jsonb),
  pgflow.tick(timestamptz)
  TO pgflow_admin;
-- A signal is an operator's or an application's act (an approval, a webhook),
-- like start_flow: pgflow_admin's. Not pgflow_worker's: a worker only reports
-- the tasks it claimed, and a signal completes a step no worker holds.
GRANT EXECUTE ON FUNCTION pgflow.send_signal(uuid, text, jsonb) TO pgflow_admin;
-- Workers start scheduled runs by themselves (tick); the slots of a cron
-- expression are a pure computation anyone who reads state may ask for.
GRANT EXECUTE ON FUNCTION pgflow.cron_slots(text, timestamptz, text) TO pgflow_reader;
-- The queue's numbers, for dashboards and BI tools (the worker's metrics read
-- them too when its role is also a pgflow_reader; pgflow_worker touches no
-- table or view).
GRANT SELECT ON pgflow.queue_stats TO pgflow_reader;
