-- signal_timeout: at least 1 second, only on a signal step, an integer; NULL waits forever.
BEGIN;
SELECT plan(4);
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "signal": true, "signal_timeout": 0}]}')$$,
  '22023', 'signal_timeout of step "a" of flow "f" must be at least 1 second, got 0', 'zero is refused');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "signal_timeout": 60}]}')$$,
  '22023', 'signal_timeout of step "a" of flow "f" needs signal => true', 'only signal steps have one');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "signal": "yes"}]}')$$,
  '22023', 'signal of step "a" of flow "f" must be a boolean, got "yes"', '"signal" is a boolean');
SELECT lives_ok($$SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "signal": true}]}')$$,
  'no signal_timeout: it waits forever');
SELECT * FROM finish();
ROLLBACK;
