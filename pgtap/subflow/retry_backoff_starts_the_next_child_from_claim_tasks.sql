BEGIN;
SELECT plan(6);
SELECT pgflow.define_flow('{"slug": "enrich", "max_attempts": 1, "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "max_attempts": 2, "base_delay": 30, "steps": [
  {"slug": "customer", "subflow": "enrich"}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => r.run_id, step_slug => 'lookup', error_message => 'flaky')
  FROM pgflow.runs AS r WHERE r.parent_run_id IS NOT NULL;

SELECT results_eq(
  $$SELECT status, attempt, lease_token IS NULL, available_at - now() FROM pgflow.step_tasks WHERE step_slug = 'customer'$$,
  $$VALUES ('started', 2, true, interval '30 seconds')$$,
  'the task waits out its backoff (base_delay * 2^0) for its second child, held by no worker');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => 'w1')), 0, 'a claim before it is due starts nothing');
SELECT is((SELECT count(*)::int FROM pgflow.runs WHERE parent_run_id IS NOT NULL), 1, 'no second child yet');
-- The backoff is over (time moved on).
UPDATE pgflow.step_tasks SET available_at = now() - interval '1 second' WHERE step_slug = 'customer';
SELECT results_eq(
  $$SELECT flow_slug, step_slug FROM pgflow.claim_tasks(worker_id => 'w2', flow_slugs => ARRAY['unrelated'])$$,
  $$SELECT NULL::text, NULL::text WHERE false$$,
  'the next claim (any worker''s, whatever it serves) hands out nothing of it...');
SELECT results_eq(
  $$SELECT status, input FROM pgflow.runs WHERE parent_run_id IS NOT NULL ORDER BY started_at, status$$,
  $$VALUES ('failed', '{}'::jsonb), ('started', '{}')$$,
  '...but started the second child');
SELECT results_eq(
  $$SELECT t.status, t.attempt, t.available_at FROM pgflow.step_tasks AS t WHERE t.step_slug = 'customer'
       AND t.lease_token = (SELECT r.run_id FROM pgflow.runs AS r WHERE r.parent_run_id IS NOT NULL AND r.status = 'started')$$,
  $$VALUES ('started', 2, 'infinity'::timestamptz)$$,
  'which holds attempt 2');
SELECT * FROM finish();
ROLLBACK;
