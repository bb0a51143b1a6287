BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "max_attempts": 2, "base_delay": 0, "steps": [
  {"slug": "customer", "subflow": "enrich"}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', run_id => '00000000-0000-0000-0000-000000000001');
SELECT run_id AS first_child FROM pgflow.runs WHERE parent_run_id IS NOT NULL \gset
SELECT pgflow.cancel_run(run_id => :'first_child', reason => 'stuck');
SELECT results_eq(
  $$SELECT attempt, error_type, error_message FROM pgflow.task_attempts WHERE step_slug = 'customer'$$,
  format($$VALUES (1, 'SubflowCancelled', 'child run %s of flow "enrich" cancelled: cancelled: stuck')$$, :'first_child'),
  'a cancelled child is a failed attempt of its parent''s step');
SELECT is((SELECT count(*)::int FROM pgflow.runs WHERE parent_run_id IS NOT NULL AND status = 'started'), 1,
  'the retry started a new child');
SELECT is((SELECT status FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'), 'started',
  'the parent goes on');
SELECT * FROM finish();
ROLLBACK;
