BEGIN;
SELECT plan(9);
SELECT pgflow.define_flow('{"slug": "chain", "steps": [
  {"slug": "fetch"}, {"slug": "parse", "deps": ["fetch"]}, {"slug": "save", "deps": ["parse"]}]}');
SELECT pgflow.start_flow(flow_slug => 'chain', input => '{"url": "u"}', run_id => '00000000-0000-0000-0000-000000000001');

SELECT results_eq($$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('fetch', '{"run": {"url": "u"}}'::jsonb)$$, 'only fetch is claimable first');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'parse waits for fetch');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'fetch', output => '"<html>"');

SELECT results_eq($$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('parse', '{"run": {"url": "u"}, "fetch": "<html>"}'::jsonb)$$, 'then parse, with fetch''s output');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'save waits for parse');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'parse', output => '{"title": "T"}');

SELECT results_eq($$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w1')$$,
  $$VALUES ('save', '{"run": {"url": "u"}, "parse": {"title": "T"}}'::jsonb)$$,
  'then save, with parse''s output only (not fetch''s: it is not a dependency)');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'the run is started until the last step completes');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'save', output => 'true');

SELECT results_eq($$SELECT status, output, remaining_steps FROM pgflow.runs$$,
  $$VALUES ('completed', '{"save": true}'::jsonb, 0)$$, 'the run completed with the leaf''s output');
SELECT results_eq(
  $$SELECT step_slug, status, output FROM pgflow.step_states ORDER BY started_at, step_slug$$,
  $$VALUES ('fetch', 'completed', '"<html>"'::jsonb), ('parse', 'completed', '{"title": "T"}'::jsonb),
           ('save', 'completed', 'true'::jsonb)$$,
  'every step completed with its output');
SELECT results_eq($$SELECT step_slug, status, attempt, worker_id FROM pgflow.step_tasks ORDER BY step_slug$$,
  $$VALUES ('fetch', 'completed', 1, 'w1'), ('parse', 'completed', 1, 'w1'), ('save', 'completed', 1, 'w1')$$,
  'one task per step, each completed on its first attempt');
SELECT * FROM finish();
ROLLBACK;
