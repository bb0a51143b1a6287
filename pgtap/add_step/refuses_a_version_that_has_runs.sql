BEGIN;
SELECT plan(6);

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

SELECT pgflow.create_flow(flow_slug => 'live');
SELECT pgflow.add_step(flow_slug => 'live', step_slug => 'a');
SELECT pgflow.start_flow(flow_slug => 'live');

SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'live', step_slug => 'b', deps => ARRAY['a'])$$,
  '55000', NULL, 'add_step on a version that has a run raises 55000');
SELECT throws_like($$SELECT pgflow.add_step(flow_slug => 'live', step_slug => 'b', deps => ARRAY['a'])$$,
  '%live%', 'the message names the flow');
SELECT matches(
  pg_temp.error_of($$SELECT pgflow.add_step(flow_slug => 'live', step_slug => 'b', deps => ARRAY['a'])$$) ->> 'hint',
  'define_flow', 'the HINT says to deploy with define_flow');
SELECT results_eq($$SELECT step_slug FROM pgflow.steps WHERE flow_slug = 'live'$$, $$VALUES ('a')$$,
  'the step was not added');
SELECT is((SELECT count(*)::int FROM pgflow.flows WHERE flow_slug = 'live'), 1, 'no version was created');
SELECT is((SELECT count(*)::int FROM pgflow.step_states), 1, 'the run still has exactly its one step state');

SELECT * FROM finish();
ROLLBACK;
