BEGIN;
SELECT plan(4);

-- One root, 998 parallel steps after it, one join after all of them.
SELECT lives_ok($$
  SELECT pgflow.define_flow(definition => jsonb_build_object('slug', 'wide', 'steps',
    jsonb_build_array(jsonb_build_object('slug', 'join', 'deps',
                        (SELECT jsonb_agg('w' || i) FROM generate_series(1, 998) AS i)))
    || (SELECT jsonb_agg(jsonb_build_object('slug', 'w' || i, 'deps', '["root"]'::jsonb)) FROM generate_series(1, 998) AS i)
    || jsonb_build_array(jsonb_build_object('slug', 'root'))))
$$, 'a 1,000-step wide DAG defines');
SELECT is((SELECT count(*)::int FROM pgflow.steps WHERE flow_slug = 'wide'), 1000, 'it has 1,000 steps');
SELECT results_eq(
  $$SELECT step_slug, step_index, deps_count FROM pgflow.steps
     WHERE flow_slug = 'wide' AND step_slug IN ('root', 'join') ORDER BY step_index$$,
  $$VALUES ('root', 0, 0), ('join', 999, 998)$$,
  'the root comes first and the join last');
SELECT is((SELECT count(*)::int FROM pgflow.deps WHERE flow_slug = 'wide'), 998 * 2, 'and 1,996 edges');

SELECT * FROM finish();
ROLLBACK;
