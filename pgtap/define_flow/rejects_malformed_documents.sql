-- Every malformed document is rejected with SQLSTATE 22023 and a message naming the
-- problem, and leaves no rows.
BEGIN;
SELECT plan(21);

SELECT throws_like($$SELECT pgflow.define_flow(definition => '[{"slug": "f"}]')$$,
  '%object%', 'an array document is rejected: it must be an object');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '"f"')$$,
  '%object%', 'a string document is rejected: it must be an object');
SELECT throws_ok($$SELECT pgflow.define_flow(definition => NULL)$$, '22023', NULL,
  'a NULL document is rejected');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"steps": [{"slug": "a"}]}')$$,
  '%slug%', 'a document without "slug" is rejected, naming slug');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": 42, "steps": []}')$$,
  '%slug%string%', 'a non-string slug is rejected: slug must be a string');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f-1", "steps": []}')$$,
  '%f-1%', 'an invalid flow slug is rejected, naming it');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f"}')$$,
  '%steps%', 'a document without "steps" is rejected, naming steps');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": {"slug": "a"}}')$$,
  '%steps%array%', 'a "steps" object instead of an array is rejected');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": ["a"]}')$$,
  '%step%object%', 'a step that is a string, not an object, is rejected');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": [{"deps": []}]}')$$,
  '%slug%', 'a step without "slug" is rejected, naming slug');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": [{"slug": "run"}]}')$$,
  '%run%reserved%', 'the reserved step slug "run" is rejected');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f", "retries": 3, "steps": []}')$$,
  '%retries%', 'an unknown flow-level key is rejected, naming the key');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": [{"slug": "a", "depends_on": []}]}')$$,
  '%depends_on%', 'an unknown step-level key is rejected, naming the key');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f", "max_attempts": "3", "steps": []}')$$,
  '%max_attempts%', 'max_attempts given as a string is rejected, naming max_attempts');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": [{"slug": "a", "timeout": 1.5}]}')$$,
  '%timeout%', 'a fractional timeout is rejected, naming timeout');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": "a"}]}')$$,
  '%deps%', 'deps given as a string is rejected, naming deps');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": [1]}]}')$$,
  '%deps%', 'deps that are not strings are rejected, naming deps');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": [{"slug": "a"}, {"slug": "b", "deps": ["a"], "fan_out": "yes"}]}')$$,
  '%fan_out%', 'a non-boolean fan_out is rejected, naming fan_out');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": [{"slug": "a", "run_if": "vip"}]}')$$,
  '%run_if%object%', 'a run_if that is not an object is rejected');

SELECT is((SELECT count(*)::int FROM pgflow.flows), 0, 'no flow was written');
SELECT ok((SELECT count(*) FROM pgflow.steps) = 0 AND (SELECT count(*) FROM pgflow.deps) = 0,
  'no step and no dependency was written');

SELECT * FROM finish();
ROLLBACK;
