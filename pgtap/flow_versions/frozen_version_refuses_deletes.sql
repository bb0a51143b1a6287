BEGIN;
SELECT plan(7);

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
  {"slug": "a"}, {"slug": "b", "deps": ["a"]}, {"slug": "c", "deps": ["a", "b"]}]}');
SELECT pgflow.start_flow(flow_slug => 'frozen');

SELECT throws_ok($$DELETE FROM pgflow.steps WHERE flow_slug = 'frozen' AND step_slug = 'c'$$,
  '55000', NULL, 'deleting a leaf step of a version with runs raises 55000');
SELECT throws_ok($$DELETE FROM pgflow.steps WHERE flow_slug = 'frozen' AND step_slug = 'a'$$,
  '55000', NULL, 'deleting a step that others depend on raises 55000');
SELECT throws_ok($$DELETE FROM pgflow.deps WHERE flow_slug = 'frozen' AND step_slug = 'c' AND dep_slug = 'b'$$,
  '55000', NULL, 'deleting a dependency raises 55000');
SELECT matches(
  (SELECT concat_ws(' ', e ->> 'message', e ->> 'hint')
     FROM pg_temp.error_of($$DELETE FROM pgflow.deps WHERE flow_slug = 'frozen' AND step_slug = 'c' AND dep_slug = 'b'$$) AS e),
  'define_flow', 'the message or HINT says to deploy a new version with define_flow');
SELECT matches(
  (SELECT concat_ws(' ', e ->> 'message', e ->> 'hint')
     FROM pg_temp.error_of($$DELETE FROM pgflow.steps WHERE flow_slug = 'frozen' AND step_slug = 'c'$$) AS e),
  'define_flow', 'for a step too');

SELECT is((SELECT count(*)::int FROM pgflow.steps WHERE flow_slug = 'frozen'), 3, 'all three steps remain');
SELECT is((SELECT count(*)::int FROM pgflow.deps WHERE flow_slug = 'frozen'), 3, 'all three dependencies remain');

SELECT * FROM finish();
ROLLBACK;
