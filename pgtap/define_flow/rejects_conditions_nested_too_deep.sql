-- Conditions are matched with @>, which recurses per level: a pattern nested
-- more than 32 levels is refused at definition (by define_flow and add_step),
-- not left to fail every start_flow with "stack depth limit exceeded".
BEGIN;
SELECT plan(5);
CREATE FUNCTION pg_temp.nested(depth int) RETURNS jsonb LANGUAGE sql AS $$
  SELECT (repeat('{"k": ', depth - 1) || '1' || repeat('}', depth - 1))::jsonb $$;
SELECT throws_ok(format($$SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "run_if": {"run": %s}}]}')$$,
                        pg_temp.nested(10000)),
  '54000', 'run_if of step "a" of flow "f" is nested more than 32 levels deep', 'a run_if 10,000 deep is refused');
SELECT throws_ok(format($$SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "run_unless": {"run": %s}}]}')$$,
                        pg_temp.nested(33)),
  '54000', 'run_unless of step "a" of flow "f" is nested more than 32 levels deep', 'so is a run_unless 34 deep');
SELECT pgflow.create_flow(flow_slug => 'g');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'g', step_slug => 'a', run_if => jsonb_build_object('run', pg_temp.nested(40)))$$,
  '54000', NULL, 'add_step refuses it too');
SELECT lives_ok(format($$SELECT pgflow.define_flow('{"slug": "h", "steps": [{"slug": "a", "run_if": {"run": %s}}]}')$$,
                       pg_temp.nested(31)), 'a pattern 32 levels deep is accepted');
SELECT is((pgflow.start_flow(flow_slug => 'h', input => pg_temp.nested(31))).status, 'started', 'and its runs start');
SELECT * FROM finish();
ROLLBACK;
