BEGIN;
SELECT plan(5);
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "a", "steps": [{"slug": "s", "subflow": "a"}]}')$$,
  '42P17', 'flow "a" would run itself through subflows: a -> a', 'a flow naming itself');
SELECT pgflow.define_flow('{"slug": "c", "steps": [{"slug": "work"}]}');
SELECT pgflow.define_flow('{"slug": "b", "steps": [{"slug": "s", "subflow": "c"}]}');
SELECT pgflow.define_flow('{"slug": "a", "steps": [{"slug": "s", "subflow": "b"}]}');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "b", "steps": [{"slug": "s", "subflow": "a"}]}')$$,
  '42P17', 'flow "b" would run itself through subflows: b -> a -> b',
  'a new version of b naming a, which names b');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "c", "steps": [{"slug": "work"}, {"slug": "up", "subflow": "a"}]}')$$,
  '42P17', 'flow "c" would run itself through subflows: c -> a -> b -> c',
  'a cycle through several existing flows, reported as the path');
SELECT pgflow.create_flow('d');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'c', step_slug => 'up', subflow => 'a')$$,
  '42P17', 'flow "c" would run itself through subflows: c -> a -> b -> c', 'add_step refuses it too');
SELECT lives_ok($$SELECT pgflow.define_flow('{"slug": "d", "steps": [{"slug": "x", "subflow": "a"}, {"slug": "y", "subflow": "b"}]}')$$,
  'a flow may name flows that share a child (a tree, not a cycle)');
SELECT * FROM finish();
ROLLBACK;
