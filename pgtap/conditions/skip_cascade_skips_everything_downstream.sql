-- when_unmet = skip-cascade: the unmet step and everything downstream of it are
-- skipped, including a join with another, unskipped dependency; each cascaded
-- skip_reason names the step that caused it. Branches not downstream still run.
BEGIN;
SELECT plan(7);

SELECT pgflow.define_flow('{"slug": "join_cascade", "steps": [
  {"slug": "a", "run_if": {"run": {"with_a": true}}, "when_unmet": "skip-cascade"},
  {"slug": "b"},
  {"slug": "j", "deps": ["a", "b"]},
  {"slug": "k", "deps": ["j"]},
  {"slug": "l", "deps": ["k", "b"]},
  {"slug": "m", "deps": ["b"]}]}');
SELECT pgflow.start_flow(flow_slug => 'join_cascade', input => '{"with_a": false}',
                         run_id => '00000000-0000-0000-0000-000000000001');

SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states ORDER BY step_slug$$,
  $$VALUES ('a', 'skipped'), ('b', 'started'), ('j', 'skipped'), ('k', 'skipped'), ('l', 'skipped'),
           ('m', 'created')$$,
  'a and everything downstream of it (j, k, l) are skipped; b starts; m waits for b');
SELECT matches(
  (SELECT skip_reason FROM pgflow.step_states WHERE step_slug = 'a'),
  'run_if.*"with_a": true', 'a''s skip_reason names its condition');
SELECT is(
  (SELECT count(*)::int FROM pgflow.step_states
    WHERE step_slug IN ('j', 'k', 'l') AND skip_reason ~ '"a"'),
  3, 'the cascaded skip_reasons name the upstream step a');

SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'b', output => '1')
  FROM pgflow.claim_tasks(worker_id => 'w');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('m', '{"run": {"with_a": false}, "b": 1}'::jsonb)$$,
  'only m, outside the cascade, is claimable after b');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'm', output => '2');
SELECT is(
  (SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug IN ('a', 'j', 'k', 'l')),
  0, 'no skipped step ever had a task');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.runs$$,
  $$VALUES ('completed', '{"m": 2}'::jsonb)$$,
  'the run completes with the output of its unskipped leaf');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w')$$, 'nothing is left to claim');
SELECT * FROM finish();
ROLLBACK;
