-- The SQLSTATE of a malformed document is 22023 (invalid parameter value), so a
-- client can tell a bad definition from a broken graph or a server fault.
BEGIN;
SELECT plan(8);

SELECT throws_ok($$SELECT pgflow.define_flow(definition => '[]')$$, '22023', NULL, 'not an object');
SELECT throws_ok($$SELECT pgflow.define_flow(definition => '{"steps": []}')$$, '22023', NULL, 'missing slug');
SELECT throws_ok($$SELECT pgflow.define_flow(definition => '{"slug": true, "steps": []}')$$, '22023', NULL, 'slug not a string');
SELECT throws_ok($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": "a"}')$$, '22023', NULL, 'steps not an array');
SELECT throws_ok($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": [[]]}')$$, '22023', NULL, 'a step not an object');
SELECT throws_ok($$SELECT pgflow.define_flow(definition => '{"slug": "f", "owner": "me", "steps": []}')$$, '22023', NULL, 'unknown flow key');
SELECT throws_ok($$SELECT pgflow.define_flow(definition => '{"slug": "f", "steps": [{"slug": "a", "max_attempts": "3"}]}')$$, '22023', NULL, 'step max_attempts as a string');
SELECT is((SELECT count(*)::int FROM pgflow.flows), 0, 'nothing was written');

SELECT * FROM finish();
ROLLBACK;
