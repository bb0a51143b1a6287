-- The chaos suite's scaffolding in its own database (not pgflow): every row
-- pgflow inserts into step_states / step_tasks and every status change there,
-- so "no completion applied twice" and "each dependent started once" are counts.
-- Triggers fire inside pgflow's transactions: a crash undoes them together.
-- (pgflow's functions run with search_path = pg_catalog, pg_temp: qualify names.)
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

CREATE FUNCTION public.chaos_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'step_tasks' THEN
    INSERT INTO public.chaos_transitions (kind, run_id, step_slug, task_index, status, attempt, worker_id)
    VALUES ('task', NEW.run_id, NEW.step_slug, NEW.task_index, NEW.status, NEW.attempt, NEW.worker_id);
  ELSE
    INSERT INTO public.chaos_transitions (kind, run_id, step_slug, task_index, status)
    VALUES ('step', NEW.run_id, NEW.step_slug, -1, NEW.status);
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER chaos_step_transition AFTER INSERT OR UPDATE OF status ON pgflow.step_states
  FOR EACH ROW EXECUTE FUNCTION public.chaos_record();
CREATE TRIGGER chaos_task_transition AFTER INSERT OR UPDATE OF status ON pgflow.step_tasks
  FOR EACH ROW EXECUTE FUNCTION public.chaos_record();
