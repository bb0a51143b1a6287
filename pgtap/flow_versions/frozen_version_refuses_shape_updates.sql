BEGIN;
SELECT plan(12);

CREATE FUNCTION pg_temp.error_of(statement text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_state text; v_message text; v_hint text;
BEGIN
  EXECUTE statement;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_hint = PG_EXCEPTION_HINT;
  RETURN jsonb_build_object('sqlstate', v_state, 'message', v_message, 'hint', v_hint);
END;
$$;

SELECT pgflow.define_flow(definition => '{"slug": "frozen", "steps": [
  {"slug": "list"}, {"slug": "each", "deps": ["list"], "fan_out": true}, {"slug": "other"}]}');
SELECT pgflow.start_flow(flow_slug => 'frozen');
CREATE TEMP TABLE before_update AS SELECT pgflow.flow_definition(flow_slug => 'frozen') AS d;

SELECT throws_ok($$UPDATE pgflow.steps SET step_slug = 'list_v2' WHERE flow_slug = 'frozen' AND step_slug = 'other'$$,
  '55000', NULL, 'renaming a step of a version with runs raises 55000');
SELECT throws_ok($$UPDATE pgflow.steps SET fan_out = false, deps_count = 1 WHERE flow_slug = 'frozen' AND step_slug = 'each'$$,
  '55000', NULL, 'changing fan_out raises 55000');
SELECT throws_ok($$UPDATE pgflow.steps SET run_if = '{"run": {"x": 1}}' WHERE flow_slug = 'frozen' AND step_slug = 'list'$$,
  '55000', NULL, 'changing run_if raises 55000');
SELECT throws_ok($$UPDATE pgflow.steps SET run_unless = '{"run": {"x": 1}}' WHERE flow_slug = 'frozen' AND step_slug = 'list'$$,
  '55000', NULL, 'changing run_unless raises 55000');
SELECT throws_ok($$UPDATE pgflow.steps SET when_unmet = 'fail' WHERE flow_slug = 'frozen' AND step_slug = 'list'$$,
  '55000', NULL, 'changing when_unmet raises 55000');
SELECT throws_ok($$UPDATE pgflow.steps SET when_exhausted = 'skip' WHERE flow_slug = 'frozen' AND step_slug = 'list'$$,
  '55000', NULL, 'changing when_exhausted raises 55000');
SELECT throws_ok($$UPDATE pgflow.deps SET dep_slug = 'other' WHERE flow_slug = 'frozen' AND step_slug = 'each'$$,
  '55000', NULL, 'repointing a dependency raises 55000');
SELECT throws_ok($$UPDATE pgflow.flows SET flow_slug = 'thawed' WHERE flow_slug = 'frozen'$$,
  '55000', NULL, 'renaming the flow version raises 55000');

SELECT matches(
  (SELECT concat_ws(' ', e ->> 'message', e ->> 'hint')
     FROM pg_temp.error_of($$UPDATE pgflow.steps SET step_slug = 'list_v2' WHERE flow_slug = 'frozen' AND step_slug = 'other'$$) AS e),
  'define_flow', 'the message or HINT says to deploy a new version with define_flow');
SELECT matches(
  (SELECT e ->> 'message'
     FROM pg_temp.error_of($$UPDATE pgflow.steps SET step_slug = 'list_v2' WHERE flow_slug = 'frozen' AND step_slug = 'other'$$) AS e),
  'other', 'the message names the step');
SELECT matches(
  (SELECT concat_ws(' ', e ->> 'message', e ->> 'hint')
     FROM pg_temp.error_of($$UPDATE pgflow.deps SET dep_slug = 'other' WHERE flow_slug = 'frozen'$$) AS e),
  'define_flow', 'for a dependency too');

SELECT is(pgflow.flow_definition(flow_slug => 'frozen'), (SELECT d FROM before_update),
  'the version''s definition is unchanged');

SELECT * FROM finish();
ROLLBACK;
