-- Graph errors that are not cycles: duplicate step, unknown dependency,
-- self-dependency, fan-out arity, option bounds. Each names the offending steps.
BEGIN;
SELECT plan(13);

SELECT throws_ok($$SELECT pgflow.define_flow(definition => '{"slug": "g", "steps": [{"slug": "a"}, {"slug": "b"}, {"slug": "a"}]}')$$,
  '42710', NULL, 'a duplicate step raises 42710');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "g", "steps": [{"slug": "a"}, {"slug": "b"}, {"slug": "a"}]}')$$,
  '%duplicate%"a"%', 'the message names the duplicate step');
SELECT throws_ok($$SELECT pgflow.define_flow(definition => '{"slug": "g", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a", "ghost"]}]}')$$,
  '42704', NULL, 'an unknown dependency raises 42704');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "g", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a", "ghost"]}]}')$$,
  '%"b"%ghost%', 'the message names the step and the missing dependency');
SELECT throws_ok($$SELECT pgflow.define_flow(definition => '{"slug": "g", "steps": [{"slug": "a", "deps": ["a"]}]}')$$,
  '42P17', NULL, 'a self-dependency raises 42P17');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "g", "steps": [{"slug": "a", "deps": ["a"]}]}')$$,
  '%"a"%itself%', 'the message names the step that depends on itself');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "g", "steps": [
    {"slug": "a"}, {"slug": "b"}, {"slug": "each", "deps": ["a", "b"], "fan_out": true}]}')$$,
  '%each%one dependency%', 'a fan-out step with 2 dependencies is rejected, naming it');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "g", "max_attempts": 0, "steps": []}')$$,
  '%max_attempts%"g"%', 'a flow max_attempts 0 is rejected, naming the option and the flow');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "g", "steps": [{"slug": "a", "delay_seconds": -1}]}')$$,
  '%delay_seconds%"a"%', 'a step delay_seconds -1 is rejected, naming the option and the step');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "g", "steps": [{"slug": "a", "when_unmet": "maybe"}]}')$$,
  '%when_unmet%', 'an unknown when_unmet is rejected');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "g", "steps": [
    {"slug": "a", "run_if": {"run": {"x": 1}}, "run_unless": {"run": {"x": 1}}}]}')$$,
  '%"a"%never run%', 'a step that can never run is rejected');

SELECT is((SELECT count(*)::int FROM pgflow.flows), 0, 'no flow was written');
SELECT ok((SELECT count(*) FROM pgflow.steps) = 0 AND (SELECT count(*) FROM pgflow.deps) = 0,
  'no step and no dependency was written');

SELECT * FROM finish();
ROLLBACK;
