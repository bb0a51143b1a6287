BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT results_eq(
  $$SELECT flow_slug, version, max_concurrency
      FROM pgflow.define_flow('{"slug": "f", "max_concurrency": 5, "steps": [{"slug": "a"}]}')$$,
  $$VALUES ('f', 1, 5)$$, 'define_flow changing only the flow limit returns the flow with the new limit');
SELECT results_eq(
  $$SELECT flow_slug, version, max_concurrency
      FROM pgflow.define_flow('{"slug": "f", "max_concurrency": 5, "steps": [{"slug": "a", "max_concurrency": 2}]}')$$,
  $$VALUES ('f', 1, 5)$$, 'define_flow changing only a step limit returns the flow (not an empty row)');
SELECT results_eq($$SELECT f.max_concurrency, s.max_concurrency FROM pgflow.flows AS f JOIN pgflow.steps AS s USING (flow_slug)$$,
  $$VALUES (5, 2)$$, 'both limits are stored');
SELECT * FROM finish();
ROLLBACK;
