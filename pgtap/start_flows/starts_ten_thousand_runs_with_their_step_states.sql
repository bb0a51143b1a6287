-- A bulk start of 10,000 inputs (the set-based path, which replans past 100
-- inputs) makes every run with the version's step states: roots started with
-- one queued task each, the others created and waiting on their dependencies;
-- a root whose condition is unmet is skipped per run; runs come back in input order.
BEGIN;
SELECT plan(7);
SELECT pgflow.define_flow('{"slug": "bulk", "steps": [
  {"slug": "a"},
  {"slug": "vip", "run_if": {"run": {"vip": true}}},
  {"slug": "b", "deps": ["a"]},
  {"slug": "c", "deps": ["a", "vip"]}]}');
-- Statistics taken while the tables were small, as autovacuum leaves a new database.
SELECT pgflow.start_flow(flow_slug => 'bulk');
ANALYZE pgflow.runs;
ANALYZE pgflow.step_states;
ANALYZE pgflow.step_tasks;
CREATE TEMP TABLE started AS
SELECT r.*, row_number() OVER () AS position
  FROM pgflow.start_flows(flow_slug => 'bulk', inputs => (
         SELECT jsonb_agg(jsonb_build_object('n', i, 'vip', i % 10 = 0) ORDER BY i) FROM generate_series(1, 10000) AS i)) AS r;

SELECT is((SELECT count(DISTINCT run_id)::int FROM started), 10000, '10,000 runs come back');
SELECT ok((SELECT bool_and((input ->> 'n')::int = position) FROM started), 'in the order of the inputs');
SELECT results_eq(
  $$SELECT count(*)::int, min(flow_version), max(flow_version), bool_and(status = 'started'), remaining_steps
      FROM pgflow.runs WHERE run_id IN (SELECT run_id FROM started) GROUP BY remaining_steps ORDER BY remaining_steps$$,
  $$VALUES (9000, 1, 1, true, 3), (1000, 1, 1, true, 4)$$,
  'all exist, started, on version 1, with 4 steps to go (3 once vip is skipped)');
SELECT results_eq(
  $$SELECT ss.step_slug, ss.status, ss.remaining_deps, count(*)::int
      FROM pgflow.step_states AS ss JOIN started AS s USING (run_id)
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3$$,
  $$VALUES ('a', 'started', 0, 10000), ('b', 'created', 1, 10000), ('c', 'created', 1, 9000), ('c', 'created', 2, 1000),
           ('vip', 'skipped', 0, 9000), ('vip', 'started', 0, 1000)$$,
  'each run has its step states: roots started or skipped on their condition, dependents waiting');
SELECT results_eq(
  $$SELECT t.step_slug, t.status, count(*)::int FROM pgflow.step_tasks AS t JOIN started AS s USING (run_id)
     GROUP BY 1, 2 ORDER BY 1$$,
  $$VALUES ('a', 'queued', 10000), ('vip', 'queued', 1000)$$,
  'one queued task per started root');
SELECT is(
  (SELECT count(*)::int FROM pgflow.step_states AS ss JOIN started AS s USING (run_id)
    WHERE ss.step_slug = 'vip' AND ss.status = 'skipped' AND (s.input ->> 'vip')::boolean),
  0, 'only the runs whose input is not vip skip the vip step');
SELECT is(
  (SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 1000) AS c
    WHERE c.input -> 'run' = (SELECT r.input FROM pgflow.runs AS r WHERE r.run_id = c.run_id)),
  1000, 'claimed tasks carry their own run''s input');
SELECT * FROM finish();
ROLLBACK;
