BEGIN;
SELECT plan(7);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "steps": [
  {"slug": "load"}, {"slug": "customer", "deps": ["load"], "subflow": "enrich"}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', input => '{"order": 42}',
                         run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'load',
                            output => '{"customer_id": 7}');

SELECT results_eq(
  $$SELECT flow_slug, flow_version, status, input, parent_run_id, parent_step_slug, parent_task_index
      FROM pgflow.runs WHERE parent_run_id IS NOT NULL$$,
  $$VALUES ('enrich', 1, 'started', '{"customer_id": 7}'::jsonb, '00000000-0000-0000-0000-000000000001'::uuid,
            'customer', 0)$$,
  'the step started one child run of its subflow, with its dependency''s output as input and task index 0');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'customer'), 'started',
  'the subflow step is started while its child runs');
SELECT results_eq(
  $$SELECT t.status, t.attempt, t.worker_id, t.lease_token, t.available_at
      FROM pgflow.step_tasks AS t WHERE t.step_slug = 'customer'$$,
  $$SELECT 'started', 1, 'pgflow:subflow', r.run_id, 'infinity'::timestamptz
      FROM pgflow.runs AS r WHERE r.parent_run_id IS NOT NULL$$,
  'its task is attempt 1, held by the child run (its run_id as lease token), with no lease to expire');
SELECT results_eq(
  $$SELECT flow_slug, step_slug, input FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('enrich', 'lookup', '{"run": {"customer_id": 7}}'::jsonb)$$,
  'workers claim the child''s steps, never the subflow step');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w2', flow_slugs => ARRAY['orders'])), 0,
  'not even a worker that asks for the parent''s flow only');
SELECT throws_ok($$SELECT * FROM pgflow.claim_tasks(worker_id => 'pgflow:subflow')$$, '22023',
  'worker_id "pgflow:subflow" is reserved: names starting with "pgflow:" mark tasks the engine holds (those of subflow steps, held by child runs)',
  'no worker may take the name that marks subflow tasks');
SELECT is((SELECT count(*)::int FROM pgflow.runs), 2, 'one child, no more');
SELECT * FROM finish();
ROLLBACK;
