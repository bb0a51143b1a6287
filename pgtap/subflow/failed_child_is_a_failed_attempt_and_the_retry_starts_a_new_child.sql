BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "enrich", "max_attempts": 1, "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "max_attempts": 2, "base_delay": 0, "steps": [
  {"slug": "customer", "subflow": "enrich"}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', input => '{"customer_id": 7}',
                         run_id => '00000000-0000-0000-0000-000000000001');
SELECT run_id AS first_child FROM pgflow.runs WHERE parent_run_id IS NOT NULL \gset
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => :'first_child', step_slug => 'lookup', error_message => 'no such customer');

SELECT is((SELECT status FROM pgflow.runs WHERE run_id = :'first_child'), 'failed', 'the child failed');
SELECT results_eq(
  $$SELECT attempt, worker_id, error_type, error_message FROM pgflow.task_attempts WHERE step_slug = 'customer'$$,
  format($$VALUES (1, 'pgflow:subflow', 'SubflowFailed',
    'child run %s of flow "enrich" failed: task 0 of step "lookup" failed after 1 attempt: no such customer')$$,
    :'first_child'),
  'the parent''s step recorded a failed attempt naming the child and its error');
SELECT results_eq(
  $$SELECT status, input, parent_task_index FROM pgflow.runs WHERE parent_run_id IS NOT NULL AND run_id <> $$ || quote_literal(:'first_child'),
  $$VALUES ('started', '{"customer_id": 7}'::jsonb, 0)$$,
  'without a backoff (base_delay 0) the retry started a new child at once, with the same input');
SELECT results_eq(
  $$SELECT t.status, t.attempt, t.lease_token FROM pgflow.step_tasks AS t WHERE t.step_slug = 'customer'$$,
  $$SELECT 'started', 2, r.run_id FROM pgflow.runs AS r WHERE r.parent_run_id IS NOT NULL AND r.status = 'started'$$,
  'the new child holds attempt 2');
SELECT is((SELECT status FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'), 'started',
  'the parent goes on');

-- The second child fails too: the attempts are used up and the parent fails.
SELECT pgflow.fail_task(run_id => t.run_id, step_slug => t.step_slug, error_message => 'still no such customer')
  FROM pgflow.claim_tasks(worker_id => 'w1') AS t;
SELECT results_eq(
  $$SELECT status, error_message FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'$$,
  $$SELECT 'failed', format('task 0 of step "customer" failed after 2 attempts: child run %s of flow "enrich" failed: '
                            'task 0 of step "lookup" failed after 1 attempt: still no such customer', r.run_id)
      FROM pgflow.runs AS r WHERE r.parent_run_id IS NOT NULL AND r.run_id <> $$ || quote_literal(:'first_child'),
  'after the last attempt, when_exhausted = fail fails the parent, naming the step and the child');
SELECT * FROM finish();
ROLLBACK;
