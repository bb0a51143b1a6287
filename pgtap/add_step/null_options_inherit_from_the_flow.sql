BEGIN;
SELECT plan(4);

SELECT pgflow.create_flow(flow_slug => 'inherit', max_attempts => 4, base_delay => 3, timeout => 120);
SELECT pgflow.add_step(flow_slug => 'inherit', step_slug => 'plain');
SELECT pgflow.add_step(flow_slug => 'inherit', step_slug => 'own', deps => ARRAY['plain'],
                       max_attempts => 2, base_delay => 5, timeout => 30, delay_seconds => 10);

SELECT results_eq(
  $$SELECT step_slug, max_attempts, base_delay, timeout, delay_seconds
      FROM pgflow.steps WHERE flow_slug = 'inherit' ORDER BY step_index$$,
  $$VALUES ('plain', NULL::int, NULL::int, NULL::int, 0), ('own', 2, 5, 30, 10)$$,
  'options left out are stored as NULL (inherit); given ones are stored');

-- Inheritance is observable at claim time: the lease is the flow's timeout.
SELECT pgflow.start_flow(flow_slug => 'inherit', run_id => '00000000-0000-0000-0000-00000000000a');
SELECT is(
  (SELECT lease_expires_at - now() FROM pgflow.claim_tasks(worker_id => 'w1')),
  interval '120 seconds',
  'a step with timeout NULL gets the flow''s timeout as its lease');

-- Changing the flow's option changes what the step inherits.
UPDATE pgflow.flows SET timeout = 90 WHERE flow_slug = 'inherit';
SELECT pgflow.start_flow(flow_slug => 'inherit', run_id => '00000000-0000-0000-0000-00000000000b');
SELECT is(
  (SELECT lease_expires_at - now() FROM pgflow.claim_tasks(worker_id => 'w2')),
  interval '90 seconds',
  'the step follows the flow''s current timeout, it did not copy it');
SELECT is(
  (SELECT timeout FROM pgflow.steps WHERE flow_slug = 'inherit' AND step_slug = 'plain'),
  NULL::int,
  'the step''s own timeout is still NULL');

SELECT * FROM finish();
ROLLBACK;
