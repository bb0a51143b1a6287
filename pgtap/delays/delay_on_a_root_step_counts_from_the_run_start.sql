-- A root step is ready when the run starts: its task is available delay_seconds
-- after start_flow, and not claimable before.
BEGIN;
SELECT plan(3);

SELECT pgflow.define_flow('{"slug": "late_root", "steps": [
  {"slug": "wait", "delay_seconds": 3600}, {"slug": "now"}]}');
SELECT pgflow.start_flow(flow_slug => 'late_root', input => '{}');

SELECT results_eq(
  $$SELECT step_slug, status, available_at FROM pgflow.step_tasks ORDER BY step_slug$$,
  $$VALUES ('now', 'queued', now()), ('wait', 'queued', now() + interval '3600 seconds')$$,
  'the delayed root''s task is available an hour after the start, the other at once');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 10)$$,
  $$VALUES ('now')$$,
  'only the undelayed root is claimable');
SELECT is((SELECT status FROM pgflow.step_states WHERE step_slug = 'wait'), 'started',
  'the delayed root is started, waiting on its delay');
SELECT * FROM finish();
ROLLBACK;
