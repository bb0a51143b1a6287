BEGIN;
SELECT plan(6);

SELECT pgflow.define_flow(definition => '{"slug": "drain", "steps": [
  {"slug": "fetch"}, {"slug": "parse", "deps": ["fetch"]}]}');
SELECT pgflow.start_flow(flow_slug => 'drain', input => '{"url": "u"}', run_id => '00000000-0000-0000-0000-000000000001');
-- Version 2 drops "parse" and adds "store".
SELECT pgflow.define_flow(definition => '{"slug": "drain", "steps": [
  {"slug": "fetch"}, {"slug": "store", "deps": ["fetch"]}]}');

SELECT results_eq(
  $$SELECT step_slug, flow_version FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('fetch', 1)$$,
  'the old run''s first task is claimable, on version 1');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'fetch', output => '"page"');
SELECT results_eq(
  $$SELECT step_slug, flow_version, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('parse', 1, '{"run": {"url": "u"}, "fetch": "page"}'::jsonb)$$,
  'its next task is version 1''s "parse", with its input');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'parse', output => '42');

SELECT results_eq(
  $$SELECT status, output FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('completed', '{"parse": 42}'::jsonb)$$,
  'the old run completes with version 1''s leaf output');
SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000001' ORDER BY step_slug$$,
  $$VALUES ('fetch', 'completed'), ('parse', 'completed')$$,
  'all of its step states are completed');

-- A new run meanwhile uses version 2.
SELECT pgflow.start_flow(flow_slug => 'drain', run_id => '00000000-0000-0000-0000-000000000002');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.step_states WHERE run_id = '00000000-0000-0000-0000-000000000002' ORDER BY step_slug$$,
  $$VALUES ('fetch'), ('store')$$,
  'a new run gets version 2''s steps');
SELECT is((SELECT count(*)::int FROM pgflow.step_tasks WHERE status NOT IN ('completed', 'queued')), 0,
  'no task is left in flight');

SELECT * FROM finish();
ROLLBACK;
