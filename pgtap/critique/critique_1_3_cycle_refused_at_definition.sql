-- Critique 1.3: "Mistakenly adding a step that points back to an ancestor (cycle)".
-- The exact statements of the critique; the third must be refused at definition
-- time, with the cycle named, and leave the flow as it was.
BEGIN;
SELECT plan(9);

CREATE FUNCTION pg_temp.error_of(statement text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_state text; v_message text;
BEGIN
  EXECUTE statement;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
  RETURN jsonb_build_object('sqlstate', v_state, 'message', v_message);
END;
$$;

SELECT pgflow.create_flow('some_flow');
SELECT lives_ok($$SELECT pgflow.add_step('some_flow', 'step_a')$$, 'step_a is added');
SELECT lives_ok($$SELECT pgflow.add_step('some_flow', 'step_b', deps => ARRAY['step_a'])$$,
  'step_b, depending on step_a, is added');

SELECT throws_like($$SELECT pgflow.add_step('some_flow', 'step_a', deps => ARRAY['step_b'])$$,
  '%step_a -> step_b -> step_a%',
  'redefining step_a to depend on step_b is refused, naming the cycle step_a -> step_b -> step_a');
-- The contract fixes the message, not the code: a cycle (42P17) or a duplicate step (42710).
SELECT ok(
  pg_temp.error_of($$SELECT pgflow.add_step('some_flow', 'step_a', deps => ARRAY['step_b'])$$) ->> 'sqlstate'
    IN ('42P17', '42710'),
  'it is refused as a cycle or as a duplicate step');
SELECT results_eq(
  $$SELECT step_slug, deps_count FROM pgflow.steps WHERE flow_slug = 'some_flow' ORDER BY step_index$$,
  $$VALUES ('step_a', 0), ('step_b', 1)$$,
  'the flow keeps its two steps, step_a still a root');
SELECT results_eq(
  $$SELECT step_slug, dep_slug FROM pgflow.deps WHERE flow_slug = 'some_flow'$$,
  $$VALUES ('step_b', 'step_a')$$,
  'no edge back to step_a was written');

-- The same cycle sent as a whole definition.
SELECT throws_ok($$SELECT pgflow.define_flow(definition => '{"slug": "cyclic_flow", "steps": [
    {"slug": "step_a", "deps": ["step_b"]}, {"slug": "step_b", "deps": ["step_a"]}]}')$$,
  '42P17', NULL, 'the same cycle through define_flow is refused with 42P17');
SELECT throws_like($$SELECT pgflow.define_flow(definition => '{"slug": "cyclic_flow", "steps": [
    {"slug": "step_a", "deps": ["step_b"]}, {"slug": "step_b", "deps": ["step_a"]}]}')$$,
  '%step_a -> step_b -> step_a%', 'its message names the cycle');
SELECT is((SELECT count(*)::int FROM pgflow.flows WHERE flow_slug = 'cyclic_flow'), 0,
  'nothing of the cyclic flow was written');

SELECT * FROM finish();
ROLLBACK;
