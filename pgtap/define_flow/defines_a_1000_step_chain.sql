BEGIN;
SELECT plan(4);

-- Listed last-first, so the topological sort has to do all the work.
SELECT lives_ok($$
  SELECT pgflow.define_flow(definition => jsonb_build_object('slug', 'long_chain', 'steps',
    (SELECT jsonb_agg(CASE WHEN i = 1 THEN jsonb_build_object('slug', 's1')
                           ELSE jsonb_build_object('slug', 's' || i, 'deps', jsonb_build_array('s' || (i - 1))) END
                      ORDER BY i DESC)
       FROM generate_series(1, 1000) AS i)))
$$, 'a 1,000-step chain defines');
SELECT is((SELECT count(*)::int FROM pgflow.steps WHERE flow_slug = 'long_chain'), 1000, 'it has 1,000 steps');
SELECT is((SELECT count(*)::int FROM pgflow.deps WHERE flow_slug = 'long_chain'), 999, 'and 999 edges');
SELECT is(
  (SELECT count(*)::int FROM pgflow.steps WHERE flow_slug = 'long_chain' AND step_index <> substr(step_slug, 2)::int - 1),
  0, 'step_index follows the chain');

SELECT * FROM finish();
ROLLBACK;
