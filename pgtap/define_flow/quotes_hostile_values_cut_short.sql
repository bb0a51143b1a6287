-- Errors quote what the caller sent cut to a readable length (_excerpt), so a
-- 10 MB hostile value gives a short message that still names the argument.
BEGIN;
SELECT plan(8);
CREATE FUNCTION pg_temp.message_of(call text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE call;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLERRM;
END $$;
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.create_flow(flow_slug => 'e');
CREATE TEMP TABLE hostile AS SELECT repeat('x', 10000000) AS v;
CREATE TEMP TABLE messages AS
SELECT name, pg_temp.message_of(call) AS message FROM (VALUES
  ('flow slug', $$SELECT pgflow.create_flow(flow_slug => (SELECT v FROM hostile))$$),
  ('definition key', $$SELECT pgflow.define_flow(jsonb_build_object('slug', 'g', 'steps', '[]'::jsonb, (SELECT v FROM hostile), 1))$$),
  ('dependency', $$SELECT pgflow.define_flow(jsonb_build_object('slug', 'g', 'steps', jsonb_build_array(jsonb_build_object('slug', 'a', 'deps', jsonb_build_array((SELECT v FROM hostile))))))$$),
  ('integer option', $$SELECT pgflow.define_flow(jsonb_build_object('slug', 'g', 'timeout', (SELECT v FROM hostile), 'steps', '[]'::jsonb))$$),
  ('when_unmet', $$SELECT pgflow.add_step(flow_slug => 'e', step_slug => 'z', when_unmet => (SELECT v FROM hostile))$$),
  ('step of a run', $$SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => (SELECT v FROM hostile))$$),
  ('start_flows slug', $$SELECT pgflow.start_flows(flow_slug => (SELECT v FROM hostile), inputs => '{}')$$),
  ('run_if key', $$SELECT pgflow.add_step(flow_slug => 'e', step_slug => 'z', run_if => jsonb_build_object((SELECT v FROM hostile), 1))$$)
) AS c(name, call);
SELECT ok(message IS NOT NULL AND length(message) < 400 AND message LIKE '%[cut: 100000__ characters in all]%',
          format('%s: a short message marking the cut (%s characters)', name, length(message)))
  FROM messages ORDER BY name;
SELECT * FROM finish();
ROLLBACK;
