-- The dependency of a fan-out step returns an object, a number, a string, JSON
-- null or no output at all: its complete_task succeeds, the fan-out step is
-- failed with an error naming both steps and the type found, and the run fails.
BEGIN;
SELECT plan(20);

SELECT pgflow.define_flow('{"slug": "bad_fan", "steps": [
  {"slug": "make_list"}, {"slug": "per_item", "deps": ["make_list"], "fan_out": true},
  {"slug": "after", "deps": ["per_item"]}]}');

CREATE TEMP TABLE cases (run_id uuid, output jsonb, type_name text);
INSERT INTO cases VALUES
  ('00000000-0000-0000-0000-000000000001', '{"items": [1, 2]}', 'object'),
  ('00000000-0000-0000-0000-000000000002', '42', 'number'),
  ('00000000-0000-0000-0000-000000000003', '"a, b"', 'string'),
  ('00000000-0000-0000-0000-000000000004', 'null', 'null'),
  ('00000000-0000-0000-0000-000000000005', NULL, 'null');
SELECT pgflow.start_flow(flow_slug => 'bad_fan', input => '{}', run_id => run_id) FROM cases;
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10);

SELECT lives_ok(
  format($$SELECT pgflow.complete_task(run_id => %L, step_slug => 'make_list', output => %L)$$, run_id, output),
  format('%s output: the dependency''s complete_task does not raise', coalesce(output::text, 'no')))
  FROM cases ORDER BY run_id;

SELECT results_eq(
  $$SELECT ss.run_id, ss.status FROM pgflow.step_states AS ss WHERE ss.step_slug = 'make_list' ORDER BY 1$$,
  $$SELECT run_id, 'completed' FROM cases ORDER BY 1$$,
  'the dependency is completed in every run');
SELECT results_eq(
  $$SELECT ss.run_id, ss.status FROM pgflow.step_states AS ss WHERE ss.step_slug = 'per_item' ORDER BY 1$$,
  $$SELECT run_id, 'failed' FROM cases ORDER BY 1$$,
  'the fan-out step is failed in every run');
SELECT results_eq(
  $$SELECT r.run_id, r.status FROM pgflow.runs AS r ORDER BY 1$$,
  $$SELECT run_id, 'failed' FROM cases ORDER BY 1$$,
  'every run is failed');

SELECT ok(ss.error_message ~ 'per_item' AND ss.error_message ~ 'make_list',
          format('%s output: the error names both steps (%s)', coalesce(c.output::text, 'no'), ss.error_message))
  FROM cases AS c JOIN pgflow.step_states AS ss ON ss.run_id = c.run_id AND ss.step_slug = 'per_item'
 ORDER BY c.run_id;
SELECT ok(ss.error_message ~ ('\m' || c.type_name || '\M'),
          format('%s output: the error names the type %s', coalesce(c.output::text, 'no'), c.type_name))
  FROM cases AS c JOIN pgflow.step_states AS ss ON ss.run_id = c.run_id AND ss.step_slug = 'per_item'
 ORDER BY c.run_id;

SELECT is(
  (SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug IN ('per_item', 'after')),
  0, 'no task was created for the fan-out step or after it');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w')$$, 'nothing is left to claim');
SELECT * FROM finish();
ROLLBACK;
