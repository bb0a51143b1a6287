BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
CREATE TEMP TABLE first AS SELECT * FROM pgflow.start_flow(flow_slug => 'f', input => '{"n": 1}', idempotency_key => 'order-7');
CREATE TEMP TABLE second AS SELECT * FROM pgflow.start_flow(flow_slug => 'f', input => '{"n": 2}', idempotency_key => 'order-7');
SELECT is((SELECT run_id FROM second), (SELECT run_id FROM first), 'the same run');
SELECT is((SELECT input FROM second), '{"n": 1}'::jsonb, 'the second call''s input is ignored');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks), 1, 'and nothing more was started');
SELECT isnt((SELECT run_id FROM pgflow.start_flow(flow_slug => 'f', idempotency_key => 'order-8')),
  (SELECT run_id FROM first), 'another key starts another run');
SELECT * FROM finish();
ROLLBACK;
