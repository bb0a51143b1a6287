-- A fan-out over 10,000 elements: 10,000 tasks, claimable in ten claims of 1000
-- (claim_tasks' cap), and the step's output is the 10,000 task outputs in index order.
BEGIN;
SELECT plan(7);

SELECT pgflow.define_flow('{"slug": "big", "steps": [
  {"slug": "split"},
  {"slug": "each", "deps": ["split"], "fan_out": true},
  {"slug": "total", "deps": ["each"]}]}');
SELECT pgflow.start_flow(flow_slug => 'big', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'split',
                            output => (SELECT jsonb_agg(i ORDER BY i) FROM generate_series(0, 9999) AS i))
  FROM pgflow.claim_tasks(worker_id => 'w');

SELECT is(
  (SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'each' AND status = 'queued'),
  10000, '10,000 queued tasks');

CREATE TEMP TABLE claimed AS
SELECT c.* FROM generate_series(1, 10) AS batch, LATERAL pgflow.claim_tasks(worker_id => 'w' || batch, max_tasks => 1000) AS c;
SELECT is((SELECT count(DISTINCT task_index)::int FROM claimed), 10000, 'ten claims of 1000 take all 10,000 tasks');
SELECT is(
  (SELECT count(*)::int FROM claimed
    WHERE step_slug = 'each' AND input = jsonb_build_object('item', task_index, 'index', task_index)),
  10000, 'every task''s input is its own element and index');

-- Complete in reverse index order, with output = element * 2.
SELECT count(pgflow.complete_task(run_id => run_id, step_slug => step_slug, task_index => task_index,
                                  output => to_jsonb((input ->> 'item')::int * 2)))
  FROM (SELECT * FROM claimed ORDER BY task_index DESC) AS c;

SELECT is(
  (SELECT jsonb_array_length(output) FROM pgflow.step_states WHERE step_slug = 'each'),
  10000, 'the step output has 10,000 elements');
SELECT ok(
  (SELECT output = (SELECT jsonb_agg(i * 2 ORDER BY i) FROM generate_series(0, 9999) AS i)
     FROM pgflow.step_states WHERE step_slug = 'each'),
  'the step output is in index order');

SELECT pgflow.complete_task(run_id => run_id, step_slug => step_slug,
                            output => to_jsonb(jsonb_array_length(input -> 'each')))
  FROM pgflow.claim_tasks(worker_id => 'w');
SELECT is((SELECT output FROM pgflow.step_states WHERE step_slug = 'total'), '10000'::jsonb,
  'the dependent saw the whole array');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.runs$$,
  $$VALUES ('completed', '{"total": 10000}'::jsonb)$$,
  'the run completes');
SELECT * FROM finish();
ROLLBACK;
