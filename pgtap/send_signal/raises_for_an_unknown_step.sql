-- The error names the flow and version, and HINT lists its signal steps.
BEGIN;
SELECT plan(2);
SELECT pgflow.define_flow('{"slug": "doc", "steps": [{"slug": "draft"}, {"slug": "approval", "deps": ["draft"], "signal": true, "signal_timeout": 3600}, {"slug": "publish", "deps": ["approval"]}]}');
SELECT pgflow.start_flow(flow_slug => 'doc', run_id => '00000000-0000-0000-0000-000000000001');
SELECT throws_ok($$SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'aproval')$$,
  'P0002', 'cannot send signal "aproval" to run 00000000-0000-0000-0000-000000000001: flow "doc" version 1 has no step "aproval"',
  'an unknown step raises');
CREATE FUNCTION pg_temp.hint_of(statement text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE v_hint text;
BEGIN
  EXECUTE statement;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS v_hint = PG_EXCEPTION_HINT;
  RETURN v_hint;
END $f$;
SELECT is(pg_temp.hint_of($$SELECT pgflow.send_signal(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'aproval')$$),
  'The signal steps of flow "doc" version 1: approval.', 'HINT lists the signal steps');
SELECT * FROM finish();
ROLLBACK;
