BEGIN;
SELECT plan(1);
SELECT throws_ok($$SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'approval')$$,
  'P0002', 'cannot send signal "approval": run 00000000-0000-0000-0000-000000000001 does not exist',
  'an unknown run raises, naming it');
SELECT * FROM finish();
ROLLBACK;
