-- The chaos suite's scaffolding in its own database (not pgflow): every row
-- pgflow inserts into step_states / step_tasks and every status change there
-- (and every claim: a task's attempt changes), so "no completion applied twice"
-- and "each dependent started once" are counts, and "a worker's first claim
-- after a restart" is a committed row. The triggers fire inside pgflow's
-- transactions: a crash undoes them together. (pgflow's functions run with
-- search_path = pg_catalog, pg_temp: names are qualified.)
CREATE TABLE public.chaos_transitions (
  kind       text NOT NULL,  -- 'step' or 'task'
  run_id     uuid NOT NULL,
  step_slug  text NOT NULL,
  task_index int  NOT NULL,  -- -1 for steps
  status     text NOT NULL,
  attempt    int,
  worker_id  text,
  at         timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION public.chaos_record_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.chaos_transitions (kind, run_id, step_slug, task_index, status)
  VALUES ('step', NEW.run_id, NEW.step_slug, -1, NEW.status);
  RETURN NEW;
END $$;

CREATE FUNCTION public.chaos_record_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.chaos_transitions (kind, run_id, step_slug, task_index, status, attempt, worker_id)
  VALUES ('task', NEW.run_id, NEW.step_slug, NEW.task_index, NEW.status, NEW.attempt, NEW.worker_id);
  RETURN NEW;
END $$;

CREATE TRIGGER chaos_step_created AFTER INSERT ON pgflow.step_states
  FOR EACH ROW EXECUTE FUNCTION public.chaos_record_step();
CREATE TRIGGER chaos_step_transition AFTER UPDATE OF status ON pgflow.step_states
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION public.chaos_record_step();
CREATE TRIGGER chaos_task_created AFTER INSERT ON pgflow.step_tasks
  FOR EACH ROW EXECUTE FUNCTION public.chaos_record_task();
CREATE TRIGGER chaos_task_transition AFTER UPDATE OF status, attempt ON pgflow.step_tasks
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.attempt IS DISTINCT FROM NEW.attempt)
  EXECUTE FUNCTION public.chaos_record_task();
