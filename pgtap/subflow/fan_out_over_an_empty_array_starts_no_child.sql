BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT pgflow.define_flow('{"slug": "batch", "steps": [
  {"slug": "customers"}, {"slug": "enriched", "deps": ["customers"], "fan_out": true, "subflow": "enrich"}]}');
SELECT pgflow.start_flow(flow_slug => 'batch', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'customers', output => '[]');
SELECT is((SELECT count(*)::int FROM pgflow.runs WHERE parent_run_id IS NOT NULL), 0, 'no child run');
SELECT results_eq($$SELECT status, output FROM pgflow.runs$$, $$VALUES ('completed', '{"enriched": []}'::jsonb)$$,
  'the step completed at once with [], and the run with it');
SELECT * FROM finish();
ROLLBACK;
