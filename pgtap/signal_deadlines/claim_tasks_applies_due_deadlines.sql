-- claim_tasks applies due deadlines by itself (no cron job), looking at most
-- once a second per session: the session notes when to look next.
BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "approval", "signal": true, "signal_timeout": 60}, {"slug": "publish", "deps": ["approval"]}, {"slug": "notify", "deps": ["publish"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'nothing to claim');
SELECT is(current_setting('pgflow.next_signal_deadline_check')::timestamptz, now() + interval '1 second',
  'the claim looked, and will look again in a second (the deadline is later)');
-- Time passes (the transaction clock cannot move here): the deadline is moved
-- back, and the session's next look brought forward, as a second later.
UPDATE pgflow.signal_deadlines SET deadline = now() - interval '1 second';
SELECT set_config('pgflow.next_signal_deadline_check', (now() - interval '1 millisecond')::text, false);
SELECT is_empty($$SELECT * FROM pgflow.claim_tasks(worker_id => 'w1')$$, 'the claim hands out nothing');
SELECT results_eq($$SELECT s.status, r.status FROM pgflow.step_states AS s JOIN pgflow.runs AS r USING (run_id)
                     WHERE s.step_slug = 'approval'$$,
  $$VALUES ('failed', 'failed')$$, 'but it failed the step past its deadline, and the run');
SELECT * FROM finish();
ROLLBACK;
