-- Critique 1.5: renaming a step slug in production "could break or orphan old runs".
-- Here the rename is refused while the version has runs and the error says how to
-- deploy a new version; the rename deployed through define_flow becomes version 2
-- while the old run stays on version 1 and still completes.
BEGIN;
SELECT plan(9);

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

SELECT pgflow.create_flow(flow_slug => 'my_flow');
SELECT pgflow.add_step(flow_slug => 'my_flow', step_slug => 'fetch_data_v1');
SELECT pgflow.add_step(flow_slug => 'my_flow', step_slug => 'summarize', deps => ARRAY['fetch_data_v1']);
SELECT pgflow.start_flow(flow_slug => 'my_flow', input => '{"url": "x"}', run_id => '00000000-0000-0000-0000-000000000015');

SELECT throws_ok($$
UPDATE pgflow.steps
  SET step_slug = 'fetch_data_v2'
  WHERE step_slug = 'fetch_data_v1'
    AND flow_slug = 'my_flow';
$$, '55000', NULL, 'renaming a step of a flow with a run in progress is refused');
SELECT matches(
  (SELECT concat_ws(' ', e ->> 'message', e ->> 'hint') FROM pg_temp.error_of($$
UPDATE pgflow.steps
  SET step_slug = 'fetch_data_v2'
  WHERE step_slug = 'fetch_data_v1'
    AND flow_slug = 'my_flow';
$$) AS e),
  'define_flow', 'the error says to deploy a new version with define_flow');
SELECT results_eq(
  $$SELECT step_slug FROM pgflow.steps WHERE flow_slug = 'my_flow' ORDER BY step_index$$,
  $$VALUES ('fetch_data_v1'), ('summarize')$$,
  'the step keeps its slug');

-- The supported way, while the run is still in flight: deploy the renamed step as a new version.
SELECT is(
  (SELECT f.version FROM pgflow.define_flow(definition => '{"slug": "my_flow", "steps": [
     {"slug": "fetch_data_v2"}, {"slug": "summarize", "deps": ["fetch_data_v2"]}]}') AS f),
  2, 'define_flow with the renamed step creates version 2');
SELECT results_eq(
  $$SELECT flow_version, step_slug FROM pgflow.steps WHERE flow_slug = 'my_flow' ORDER BY flow_version, step_index$$,
  $$VALUES (1, 'fetch_data_v1'), (1, 'summarize'), (2, 'fetch_data_v2'), (2, 'summarize')$$,
  'version 1 keeps fetch_data_v1, version 2 has fetch_data_v2');
SELECT is((SELECT flow_version FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000015'), 1,
  'the old run stays on version 1');

-- The old run is not orphaned: it completes on version 1.
SELECT is((SELECT step_slug FROM pgflow.claim_tasks(worker_id => 'w')), 'fetch_data_v1',
  'the run''s first task, fetch_data_v1, is claimed');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000015', step_slug => 'fetch_data_v1', output => '"data"');
SELECT is((SELECT input FROM pgflow.claim_tasks(worker_id => 'w')),
  '{"run": {"url": "x"}, "fetch_data_v1": "data"}'::jsonb,
  'summarize gets fetch_data_v1''s output');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000015', step_slug => 'summarize', output => '"short"');
SELECT is((SELECT status FROM pgflow.runs WHERE run_id = '00000000-0000-0000-0000-000000000015'), 'completed',
  'the run completes');

SELECT * FROM finish();
ROLLBACK;
