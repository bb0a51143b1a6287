BEGIN;
SELECT plan(8);

SELECT throws_ok(
  $$SELECT pgflow.define_flow(definition => '{"slug": "loop2", "steps": [
      {"slug": "a", "deps": ["b"]}, {"slug": "b", "deps": ["a"]}]}')$$,
  '42P17', NULL, 'a 2-cycle is rejected with 42P17');
SELECT throws_like(
  $$SELECT pgflow.define_flow(definition => '{"slug": "loop2", "steps": [
      {"slug": "a", "deps": ["b"]}, {"slug": "b", "deps": ["a"]}]}')$$,
  '%a -> b -> a%', 'the message contains the path a -> b -> a');

-- b runs after a, c after b, a after c.
SELECT throws_ok(
  $$SELECT pgflow.define_flow(definition => '{"slug": "loop3", "steps": [
      {"slug": "a", "deps": ["c"]}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}]}')$$,
  '42P17', NULL, 'a 3-cycle is rejected with 42P17');
SELECT throws_like(
  $$SELECT pgflow.define_flow(definition => '{"slug": "loop3", "steps": [
      {"slug": "a", "deps": ["c"]}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["b"]}]}')$$,
  '%a -> b -> c -> a%', 'the message contains the path a -> b -> c -> a');

-- A cycle hanging off a valid part of the graph: the path names only the cycle.
SELECT throws_like(
  $$SELECT pgflow.define_flow(definition => '{"slug": "tail", "steps": [
      {"slug": "start"}, {"slug": "x", "deps": ["start", "z"]}, {"slug": "y", "deps": ["x"]},
      {"slug": "z", "deps": ["y"]}, {"slug": "after", "deps": ["z"]}]}')$$,
  '%x -> y -> z -> x%', 'a cycle behind a valid root is named by its own path');
SELECT throws_like(
  $$SELECT pgflow.define_flow(definition => '{"slug": "tail", "steps": [
      {"slug": "start"}, {"slug": "x", "deps": ["start", "z"]}, {"slug": "y", "deps": ["x"]},
      {"slug": "z", "deps": ["y"]}, {"slug": "after", "deps": ["z"]}]}')$$,
  '%"tail"%', 'the message names the flow');

SELECT is((SELECT count(*)::int FROM pgflow.flows), 0, 'no flow was written');
SELECT ok((SELECT count(*) FROM pgflow.steps) = 0 AND (SELECT count(*) FROM pgflow.deps) = 0,
  'no step and no dependency was written');

SELECT * FROM finish();
ROLLBACK;
