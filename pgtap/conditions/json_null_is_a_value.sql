-- JSON null is a value: {"run": {"x": null}} is contained in an input whose x is
-- null, and not in one without x.
BEGIN;
SELECT plan(4);

SELECT pgflow.define_flow('{"slug": "nulls", "steps": [
  {"slug": "when_null", "run_if": {"run": {"x": null}}},
  {"slug": "unless_null", "run_unless": {"run": {"x": null}}}]}');

SELECT pgflow.start_flow(flow_slug => 'nulls', input => '{"x": null}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states
     WHERE run_id = '00000000-0000-0000-0000-000000000001' ORDER BY step_slug$$,
  $$VALUES ('unless_null', 'skipped'), ('when_null', 'started')$$,
  'x is null: run_if {"x": null} holds, run_unless {"x": null} skips');

SELECT pgflow.start_flow(flow_slug => 'nulls', input => '{}', run_id => '00000000-0000-0000-0000-000000000002');
SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states
     WHERE run_id = '00000000-0000-0000-0000-000000000002' ORDER BY step_slug$$,
  $$VALUES ('unless_null', 'started'), ('when_null', 'skipped')$$,
  'x absent: a missing key is not null, so run_if {"x": null} is unmet');

SELECT pgflow.start_flow(flow_slug => 'nulls', input => '{"x": false}', run_id => '00000000-0000-0000-0000-000000000003');
SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states
     WHERE run_id = '00000000-0000-0000-0000-000000000003' ORDER BY step_slug$$,
  $$VALUES ('unless_null', 'started'), ('when_null', 'skipped')$$,
  'x false: false is not null');
SELECT matches(
  (SELECT skip_reason FROM pgflow.step_states
    WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'unless_null'),
  'run_unless.*"x": null', 'skip_reason names run_unless and its pattern');
SELECT * FROM finish();
ROLLBACK;
