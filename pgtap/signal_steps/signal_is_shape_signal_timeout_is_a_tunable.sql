-- Whether a step is a signal step is shape (its runs wait for a signal, not a
-- worker): changing it makes a new version. signal_timeout is a tunable,
-- updated in place; a wait already started keeps its deadline.
BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "signal": true, "signal_timeout": 60}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT is((pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "signal": true, "signal_timeout": 120}]}')).version, 1,
  'a new signal_timeout keeps the version');
SELECT is((SELECT signal_timeout FROM pgflow.steps WHERE flow_slug = 'f'), 120, 'and is updated in place');
SELECT is((SELECT deadline FROM pgflow.signal_deadlines), now() + interval '60 seconds', 'the wait under way keeps its deadline');
SELECT is((pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}')).version, 2, 'a signal step turned worker step is a new version');
SELECT throws_ok($$UPDATE pgflow.steps SET signal = false WHERE flow_slug = 'f' AND flow_version = 1$$,
  '55000', NULL, 'and signal cannot be changed under a version with runs');
SELECT * FROM finish();
ROLLBACK;
