BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "customer", "subflow": "enrich"}, {"slug": "later"}]}');
SELECT pgflow.start_flow(flow_slug => 'orders', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => t.step_slug, output => '1')
  FROM pgflow.claim_tasks(worker_id => 'w1', flow_slugs => ARRAY['enrich']) AS t;
-- The child is finished (an hour ago), its parent is not: nothing goes.
UPDATE pgflow.runs SET finished_at = now() - interval '1 hour' WHERE status <> 'started';
SELECT is(pgflow.prune(older_than => interval '1 minute'), 0::bigint, 'a finished child of a running parent is kept');
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => t.step_slug, output => '2')
  FROM pgflow.claim_tasks(worker_id => 'w1') AS t;
SELECT is((SELECT count(*)::int FROM pgflow.runs WHERE status = 'completed'), 2, 'both finished');
UPDATE pgflow.runs SET finished_at = now() - interval '1 hour';
SELECT pgflow.prune(older_than => interval '1 minute');
SELECT is((SELECT count(*)::int FROM pgflow.runs), 0, 'a finished parent goes with its children');
SELECT * FROM finish();
ROLLBACK;
