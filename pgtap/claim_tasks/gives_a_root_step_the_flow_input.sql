BEGIN;
SELECT plan(1);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', input => '{"text": "hello", "tags": [1, 2], "nested": {"k": null}}');
SELECT is((SELECT input FROM pgflow.claim_tasks(worker_id => 'w1')),
  '{"run": {"text": "hello", "tags": [1, 2], "nested": {"k": null}}}'::jsonb,
  'a root step gets exactly {"run": <flow input>}');
SELECT * FROM finish();
ROLLBACK;
