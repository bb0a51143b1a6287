-- The delay starts when the step becomes ready (its last dependency settled), not
-- when the run started. Commits between statements so the clock moves.
SELECT plan(3);

SELECT pgflow.define_flow('{"slug": "ready_clock", "steps": [
  {"slug": "first"}, {"slug": "later", "deps": ["first"], "delay_seconds": 30}]}');
SELECT pgflow.start_flow(flow_slug => 'ready_clock', input => '{}', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w');
SELECT pg_sleep(1.1);
CREATE TABLE completed_at AS SELECT now() AS at;
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'first', output => '1');
CREATE TABLE after_completion AS SELECT now() AS at;

SELECT cmp_ok(
  (SELECT available_at FROM pgflow.step_tasks WHERE step_slug = 'later'),
  '>=', (SELECT at + interval '30 seconds' FROM completed_at),
  'available_at is at least 30 s after the dependency completed');
SELECT cmp_ok(
  (SELECT available_at FROM pgflow.step_tasks WHERE step_slug = 'later'),
  '<=', (SELECT at + interval '30 seconds' FROM after_completion),
  'and at most 30 s after the completing transaction');
SELECT cmp_ok(
  (SELECT available_at FROM pgflow.step_tasks WHERE step_slug = 'later'),
  '>', (SELECT started_at + interval '31 seconds' FROM pgflow.runs),
  'not 30 s after the run started');
SELECT * FROM finish();
