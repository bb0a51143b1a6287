-- A client serializing unset options may send JSON null (Python None). define_flow
-- reads null like an absent key: the default applies.
BEGIN;
SELECT plan(3);

SELECT lives_ok($$
  SELECT pgflow.define_flow(definition => '{"slug": "nulls", "max_attempts": null, "base_delay": null, "timeout": null,
    "steps": [{"slug": "a", "deps": null, "fan_out": null, "max_attempts": null, "base_delay": null, "timeout": null,
               "delay_seconds": null, "run_if": null, "run_unless": null, "when_unmet": null, "when_exhausted": null},
              {"slug": "b", "deps": ["a"], "run_if": null}]}')
$$, 'a document with null values defines');
SELECT results_eq(
  $$SELECT version, max_attempts, base_delay, timeout FROM pgflow.flows WHERE flow_slug = 'nulls'$$,
  $$VALUES (1, 3, 1, 60)$$,
  'null flow options take the defaults');
SELECT results_eq(
  $$SELECT step_slug, deps_count, fan_out, max_attempts, delay_seconds, run_if, when_unmet, when_exhausted
      FROM pgflow.steps WHERE flow_slug = 'nulls' ORDER BY step_index$$,
  $$VALUES ('a', 0, false, NULL::int, 0, NULL::jsonb, 'skip', 'fail'),
           ('b', 1, false, NULL::int, 0, NULL::jsonb, 'skip', 'fail')$$,
  'null step options take the defaults; "deps": null is a root step');

SELECT * FROM finish();
ROLLBACK;
