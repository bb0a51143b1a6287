-- Critique 2.9: a follow-up step 7 days after its dependency. The wait is a row:
-- once initial_welcome completes, follow_up_email's task is queued with
-- available_at 7 days later and claim_tasks does not hand it out before then.
BEGIN;
SELECT plan(7);

SELECT pgflow.create_flow(flow_slug => 'user_onboarding');
SELECT pgflow.add_step(flow_slug => 'user_onboarding', step_slug => 'initial_welcome');
-- As written in the critique:
SELECT pgflow.add_step(
  flow_slug => 'user_onboarding',
  step_slug => 'follow_up_email',
  deps => ARRAY['initial_welcome'],
  delay_seconds => 604800
);

SELECT pgflow.start_flow(flow_slug => 'user_onboarding', input => '{"email": "ann@example.com"}',
                         run_id => '00000000-0000-0000-0000-000000000029');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('initial_welcome')$$,
  'initial_welcome (no delay) is claimable at once');
SELECT is(
  (SELECT count(*)::int FROM pgflow.step_tasks WHERE step_slug = 'follow_up_email'),
  0, 'follow_up_email has no task before initial_welcome completes');

SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000029', step_slug => 'initial_welcome',
                            output => '{"sent": true}');

SELECT results_eq(
  $$SELECT status, available_at FROM pgflow.step_tasks WHERE step_slug = 'follow_up_email'$$,
  $$VALUES ('queued', now() + interval '604800 seconds')$$,
  'follow_up_email''s task is queued, available 7 days after initial_welcome completed');
SELECT is(
  (SELECT status FROM pgflow.step_states WHERE step_slug = 'follow_up_email'),
  'started', 'follow_up_email is started: it is waiting on its delay');
SELECT is_empty(
  $$SELECT * FROM pgflow.claim_tasks(worker_id => 'w', max_tasks => 100)$$,
  'claim_tasks does not hand out the delayed task');
SELECT results_eq(
  $$SELECT status, attempt FROM pgflow.step_tasks WHERE step_slug = 'follow_up_email'$$,
  $$VALUES ('queued', 0)$$,
  'the delayed task is still queued with no attempt');
SELECT is((SELECT status FROM pgflow.runs), 'started', 'the run stays started while it waits');
SELECT * FROM finish();
ROLLBACK;
