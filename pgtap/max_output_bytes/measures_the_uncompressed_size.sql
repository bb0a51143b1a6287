BEGIN;
SELECT plan(3);
-- An output read from a table arrives compressed: 3 MB of 'x' is ~34 kB on disk.
-- The limit is about what the output is, not how well it compresses.
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1');
CREATE TEMP TABLE big (output jsonb);
INSERT INTO big SELECT to_jsonb(repeat('x', 3000000));
SELECT cmp_ok((SELECT octet_length((to_jsonb(repeat('x', 3000000)))::text)), '>', 1048576,
  'the output is about 3 MB, over the default 1 MiB');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                            output => (SELECT output FROM big));
SELECT results_eq($$SELECT status, output FROM pgflow.step_states$$, $$VALUES ('started', NULL::jsonb)$$,
  'it is refused and not stored, even when it reaches complete_task compressed');
SELECT matches((SELECT error_message FROM pgflow.step_tasks), '^output too large: [0-9]{7} bytes, max_output_bytes is 1048576$',
  'the error gives its real (uncompressed) size');
SELECT * FROM finish();
ROLLBACK;
