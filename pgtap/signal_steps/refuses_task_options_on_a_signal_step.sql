-- A signal step has no task: fan_out and the options that shape tasks are
-- refused, naming the step and the flow; nothing is written.
BEGIN;
SELECT plan(4);
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"], "signal": true, "fan_out": true}]}')$$,
  '42P17', 'signal step "b" of flow "f" cannot have fan_out', 'fan_out is refused');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "signal": true, "timeout": 5, "max_attempts": 2}]}')$$,
  '42P17', 'signal step "a" of flow "f" cannot have max_attempts, timeout', 'task options are refused, all named');
SELECT pgflow.create_flow('g');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'g', step_slug => 'a', signal => true, delay_seconds => 5)$$,
  '42P17', 'signal step "a" of flow "g" cannot have delay_seconds', 'add_step refuses them too');
SELECT is((SELECT count(*) FROM pgflow.flows WHERE flow_slug = 'f'), 0::bigint, 'nothing was written');
SELECT * FROM finish();
ROLLBACK;
