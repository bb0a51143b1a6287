BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [
  {"slug": "lookup"}, {"slug": "score", "deps": ["lookup"]}, {"slug": "tag", "deps": ["lookup"]}]}');
SELECT pgflow.define_flow('{"slug": "orders", "steps": [
  {"slug": "customer", "subflow": "enrich"}, {"slug": "ship", "deps": ["customer"]}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', input => '{"customer_id": 7}',
                         run_id => '00000000-0000-0000-0000-000000000001');
SELECT run_id AS child FROM pgflow.runs WHERE parent_run_id IS NOT NULL \gset
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => :'child', step_slug => 'lookup', output => '{"name": "Ada"}');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => :'child', step_slug => 'score', output => '9');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'customer'), 'started',
  'the step waits while its child has a step left');
SELECT pgflow.complete_task(run_id => :'child', step_slug => 'tag', output => '"vip"');

SELECT is((SELECT status FROM pgflow.runs WHERE run_id = :'child'), 'completed', 'the child completed');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'customer'$$,
  $$VALUES ('completed', '{"score": 9, "tag": "vip"}'::jsonb)$$,
  'in the same transaction, the subflow step completed with the child''s output (its leaf steps'' outputs)');
SELECT is((SELECT status FROM pgflow.step_tasks WHERE step_slug = 'customer'), 'completed', 'and so did its task');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('ship', '{"run": {"customer_id": 7}, "customer": {"score": 9, "tag": "vip"}}'::jsonb)$$,
  'its dependent is claimable with that output');
SELECT * FROM finish();
ROLLBACK;
