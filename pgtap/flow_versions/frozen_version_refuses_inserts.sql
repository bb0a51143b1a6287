BEGIN;
SELECT plan(5);

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

SELECT pgflow.define_flow(definition => '{"slug": "frozen", "steps": [{"slug": "a"}, {"slug": "b"}]}');
SELECT pgflow.start_flow(flow_slug => 'frozen');

SELECT throws_ok(
  $$INSERT INTO pgflow.steps (flow_slug, flow_version, step_slug, step_index) VALUES ('frozen', 1, 'extra', 2)$$,
  '55000', NULL, 'inserting a step into a version with runs raises 55000');
SELECT throws_ok(
  $$INSERT INTO pgflow.deps (flow_slug, flow_version, step_slug, dep_slug) VALUES ('frozen', 1, 'b', 'a')$$,
  '55000', NULL, 'inserting a dependency into a version with runs raises 55000');
SELECT matches(
  (SELECT concat_ws(' ', e ->> 'message', e ->> 'hint')
     FROM pg_temp.error_of($$INSERT INTO pgflow.steps (flow_slug, flow_version, step_slug, step_index) VALUES ('frozen', 1, 'extra', 2)$$) AS e),
  'define_flow', 'the message or HINT says to deploy a new version with define_flow');
SELECT results_eq($$SELECT step_slug FROM pgflow.steps WHERE flow_slug = 'frozen' ORDER BY step_index$$,
  $$VALUES ('a'), ('b')$$, 'no step was inserted');
SELECT is((SELECT count(*)::int FROM pgflow.deps WHERE flow_slug = 'frozen'), 0, 'no dependency was inserted');

SELECT * FROM finish();
ROLLBACK;
