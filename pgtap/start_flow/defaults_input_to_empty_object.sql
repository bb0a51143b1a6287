BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT is((SELECT input FROM pgflow.start_flow(flow_slug => 'f')), '{}'::jsonb, 'start_flow returns the run with input {}');
SELECT is((SELECT input FROM pgflow.runs), '{}'::jsonb, 'the stored input is {}');
SELECT is((SELECT input FROM pgflow.claim_tasks(worker_id => 'w1')), '{"run": {}}'::jsonb, 'the root gets {"run": {}}');
SELECT is((SELECT input FROM pgflow.start_flow(flow_slug => 'f', input => NULL)), '{}'::jsonb,
  'an explicit NULL input is stored as {} too');
SELECT * FROM finish();
ROLLBACK;
