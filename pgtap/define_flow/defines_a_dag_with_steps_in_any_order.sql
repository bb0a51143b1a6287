BEGIN;
SELECT plan(5);

-- A diamond listed leaf-first: every step comes before its dependencies.
SELECT is(
  (SELECT (f.flow_slug, f.version, f.max_attempts, f.base_delay, f.timeout)::text
     FROM pgflow.define_flow(definition => '{"slug": "diamond", "max_attempts": 5, "base_delay": 2, "timeout": 30,
       "steps": [{"slug": "join", "deps": ["left", "right"]},
                 {"slug": "left", "deps": ["root"]},
                 {"slug": "right", "deps": ["root"], "max_attempts": 1},
                 {"slug": "root"}]}') AS f),
  '(diamond,1,5,2,30)',
  'define_flow returns version 1 with the document''s flow options');
SELECT results_eq(
  $$SELECT step_slug, deps_count, max_attempts FROM pgflow.steps WHERE flow_slug = 'diamond' ORDER BY step_slug$$,
  $$VALUES ('join', 2, NULL::int), ('left', 1, NULL), ('right', 1, 1), ('root', 0, NULL)$$,
  'all four steps are stored with their dependency counts and options');
SELECT results_eq(
  $$SELECT step_slug, dep_slug FROM pgflow.deps WHERE flow_slug = 'diamond' ORDER BY step_slug, dep_slug$$,
  $$VALUES ('join', 'left'), ('join', 'right'), ('left', 'root'), ('right', 'root')$$,
  'all four edges are stored');

-- The diamond runs: root first, join last.
SELECT pgflow.start_flow(flow_slug => 'diamond', run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('join', 'created'), ('left', 'created'), ('right', 'created'), ('root', 'started')$$,
  'a run of it starts only the root');
SELECT is((SELECT count(*)::int FROM pgflow.flows), 1, 'exactly one flow version exists');

SELECT * FROM finish();
ROLLBACK;
