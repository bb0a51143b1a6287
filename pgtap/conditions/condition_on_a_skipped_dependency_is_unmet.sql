-- A skipped dependency's key is absent from the input, so a run_if on it is
-- unmet and a run_unless on it holds.
BEGIN;
SELECT plan(3);

SELECT pgflow.define_flow('{"slug": "chain", "steps": [
  {"slug": "a", "run_if": {"run": {"go": true}}},
  {"slug": "needs_a", "deps": ["a"], "run_if": {"a": {}}},
  {"slug": "unless_a", "deps": ["a"], "run_unless": {"a": {}}}]}');
SELECT pgflow.start_flow(flow_slug => 'chain', input => '{"go": false}');

SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('a', 'skipped'), ('needs_a', 'skipped'), ('unless_a', 'started')$$,
  'run_if on the skipped a is unmet; run_unless on it holds');
SELECT matches(
  (SELECT skip_reason FROM pgflow.step_states WHERE step_slug = 'needs_a'),
  'run_if', 'needs_a''s skip_reason names its own run_if');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('unless_a', '{"run": {"go": false}}'::jsonb)$$,
  'unless_a runs without an "a" key');
SELECT * FROM finish();
ROLLBACK;
