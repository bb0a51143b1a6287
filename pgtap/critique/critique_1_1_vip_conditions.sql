-- Critique 1.1: run_if / run_unless on the VIP flag, for userIsVIP true, false and
-- absent. Exactly one of the two branches runs in each case (a missing key is "not
-- contained", so an absent flag is "not VIP"), the run completes, and the skipped
-- branch records which condition skipped it.
BEGIN;
SELECT plan(20);

SELECT pgflow.create_flow(flow_slug => 'some_complex_flow');
SELECT pgflow.add_step(flow_slug => 'some_complex_flow', step_slug => 'check_vip');
SELECT pgflow.add_step(flow_slug => 'some_complex_flow', step_slug => 'special_vip_step',
                       deps => ARRAY['check_vip'], run_if => '{"run": {"userIsVIP": true}}');
SELECT pgflow.add_step(flow_slug => 'some_complex_flow', step_slug => 'normal_step',
                       deps => ARRAY['check_vip'], run_unless => '{"run": {"userIsVIP": true}}');

-- userIsVIP = true: only special_vip_step runs.
SELECT pgflow.start_flow(flow_slug => 'some_complex_flow', input => '{"userIsVIP": true}',
                         run_id => '00000000-0000-0000-0000-000000000001');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('check_vip', '{"run": {"userIsVIP": true}}'::jsonb)$$,
  'VIP: the root check_vip is claimed first');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'check_vip',
                            output => '{"checked": true}');
SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states
     WHERE run_id = '00000000-0000-0000-0000-000000000001' ORDER BY step_slug$$,
  $$VALUES ('check_vip', 'completed'), ('normal_step', 'skipped'), ('special_vip_step', 'started')$$,
  'VIP: special_vip_step starts, normal_step is skipped');
SELECT matches(
  (SELECT skip_reason FROM pgflow.step_states
    WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'normal_step'),
  'run_unless.*"userIsVIP": true',
  'VIP: normal_step''s skip_reason names run_unless and its pattern');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('special_vip_step', '{"run": {"userIsVIP": true}, "check_vip": {"checked": true}}'::jsonb)$$,
  'VIP: special_vip_step is claimed with the run input and check_vip''s output');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'special_vip_step',
                            output => '{"msg": "Completed VIP step."}');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000001'$$,
  $$VALUES ('completed', '{"special_vip_step": {"msg": "Completed VIP step."}}'::jsonb)$$,
  'VIP: the run completes with the output of the branch that ran');
SELECT is(
  (SELECT count(*)::int FROM pgflow.step_tasks
    WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'normal_step'),
  0, 'VIP: the skipped normal_step never had a task');
SELECT is(
  (SELECT skip_reason FROM pgflow.step_states
    WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'special_vip_step'),
  NULL, 'VIP: the step that ran has no skip_reason');

-- userIsVIP = false: only normal_step runs.
SELECT pgflow.start_flow(flow_slug => 'some_complex_flow', input => '{"userIsVIP": false}',
                         run_id => '00000000-0000-0000-0000-000000000002');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('check_vip')$$,
  'not VIP: check_vip is claimed');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'check_vip',
                            output => '{"checked": true}');
SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states
     WHERE run_id = '00000000-0000-0000-0000-000000000002' ORDER BY step_slug$$,
  $$VALUES ('check_vip', 'completed'), ('normal_step', 'started'), ('special_vip_step', 'skipped')$$,
  'not VIP: normal_step starts, special_vip_step is skipped');
SELECT matches(
  (SELECT skip_reason FROM pgflow.step_states
    WHERE run_id = '00000000-0000-0000-0000-000000000002' AND step_slug = 'special_vip_step'),
  'run_if.*"userIsVIP": true',
  'not VIP: special_vip_step''s skip_reason names run_if and its pattern');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('normal_step', '{"run": {"userIsVIP": false}, "check_vip": {"checked": true}}'::jsonb)$$,
  'not VIP: normal_step is claimed');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000002', step_slug => 'normal_step',
                            output => '{"msg": "Completed normal step."}');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000002'$$,
  $$VALUES ('completed', '{"normal_step": {"msg": "Completed normal step."}}'::jsonb)$$,
  'not VIP: the run completes with normal_step''s output');
SELECT is(
  (SELECT count(*)::int FROM pgflow.step_tasks
    WHERE run_id = '00000000-0000-0000-0000-000000000002' AND step_slug = 'special_vip_step'),
  0, 'not VIP: the skipped special_vip_step never had a task');

-- userIsVIP absent: the missing key is "not contained", so the flow takes the non-VIP branch.
SELECT pgflow.start_flow(flow_slug => 'some_complex_flow', input => '{"userName": "ann"}',
                         run_id => '00000000-0000-0000-0000-000000000003');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('check_vip')$$,
  'absent: check_vip is claimed');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000003', step_slug => 'check_vip',
                            output => '{"checked": true}');
SELECT results_eq(
  $$SELECT step_slug, status FROM pgflow.step_states
     WHERE run_id = '00000000-0000-0000-0000-000000000003' ORDER BY step_slug$$,
  $$VALUES ('check_vip', 'completed'), ('normal_step', 'started'), ('special_vip_step', 'skipped')$$,
  'absent: special_vip_step is skipped (missing key is not contained), normal_step starts');
SELECT matches(
  (SELECT skip_reason FROM pgflow.step_states
    WHERE run_id = '00000000-0000-0000-0000-000000000003' AND step_slug = 'special_vip_step'),
  'run_if.*"userIsVIP": true',
  'absent: special_vip_step''s skip_reason names run_if and its pattern');
SELECT is(
  (SELECT skip_reason FROM pgflow.step_states
    WHERE run_id = '00000000-0000-0000-0000-000000000003' AND step_slug = 'normal_step'),
  NULL, 'absent: normal_step has no skip_reason');
SELECT results_eq(
  $$SELECT step_slug, input FROM pgflow.claim_tasks(worker_id => 'w')$$,
  $$VALUES ('normal_step', '{"run": {"userName": "ann"}, "check_vip": {"checked": true}}'::jsonb)$$,
  'absent: normal_step is claimed');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000003', step_slug => 'normal_step',
                            output => '{"msg": "Completed normal step."}');
SELECT results_eq(
  $$SELECT status, output FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000003'$$,
  $$VALUES ('completed', '{"normal_step": {"msg": "Completed normal step."}}'::jsonb)$$,
  'absent: the run completes with normal_step''s output');

SELECT is((SELECT count(*)::int FROM pgflow.runs WHERE status = 'completed'), 3, 'all three runs completed');
SELECT * FROM finish();
ROLLBACK;
