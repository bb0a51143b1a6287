BEGIN;
SELECT plan(7);

SELECT pgflow.create_flow(flow_slug => 'doc', max_attempts => 4, base_delay => 2, timeout => 20);
SELECT pgflow.add_step(flow_slug => 'doc', step_slug => 'list');
SELECT pgflow.add_step(flow_slug => 'doc', step_slug => 'each', deps => ARRAY['list'], fan_out => true,
                       max_attempts => 2, run_if => '{"run": {"go": true}}', when_exhausted => 'skip');

CREATE TEMP TABLE doc AS SELECT pgflow.flow_definition(flow_slug => 'doc') AS d;

SELECT set_eq(
  $$SELECT jsonb_object_keys(d) FROM doc$$,
  ARRAY['slug', 'max_attempts', 'base_delay', 'timeout', 'max_concurrency', 'max_output_bytes', 'rate_limit',
        'rate_period', 'limit_key', 'steps'],
  'the document has exactly the flow-level keys of define_flow');
SELECT is((SELECT d - 'steps' FROM doc),
  '{"slug": "doc", "max_attempts": 4, "base_delay": 2, "timeout": 20, "max_concurrency": null,
    "max_output_bytes": 1048576, "rate_limit": null, "rate_period": null, "limit_key": null}'::jsonb,
  'the flow-level values are the stored ones');
SELECT is((SELECT jsonb_typeof(d -> 'steps') FROM doc), 'array', 'steps is an array');
SELECT ok(
  (SELECT bool_and(k = ANY (ARRAY['slug', 'deps', 'max_attempts', 'base_delay', 'timeout', 'delay_seconds',
                                  'fan_out', 'run_if', 'run_unless', 'when_unmet', 'when_exhausted',
                                  'max_concurrency', 'max_output_bytes', 'rate_limit', 'rate_period',
                                  'limit_key', 'signal', 'signal_timeout', 'subflow']))
     FROM doc, jsonb_array_elements(d -> 'steps') AS s, jsonb_object_keys(s) AS k),
  'every step key is one define_flow accepts');
SELECT ok(
  (SELECT bool_and(s ? 'slug' AND s ? 'deps' AND s ? 'fan_out')
     FROM doc, jsonb_array_elements(d -> 'steps') AS s),
  'every step has slug, deps and fan_out');
SELECT is(
  (SELECT jsonb_build_object('slug', s -> 'slug', 'deps', s -> 'deps', 'fan_out', s -> 'fan_out',
                             'max_attempts', s -> 'max_attempts', 'run_if', s -> 'run_if',
                             'when_exhausted', s -> 'when_exhausted')
     FROM doc, jsonb_array_elements(d -> 'steps') AS s WHERE s ->> 'slug' = 'each'),
  '{"slug": "each", "deps": ["list"], "fan_out": true, "max_attempts": 2, "run_if": {"run": {"go": true}},
    "when_exhausted": "skip"}'::jsonb,
  'a step''s values are the stored ones');
SELECT lives_ok(
  $$SELECT pgflow.define_flow(definition => jsonb_set((SELECT d FROM doc), '{slug}', '"doc_copy"'))$$,
  'define_flow accepts the document (as a new flow)');

SELECT * FROM finish();
ROLLBACK;
