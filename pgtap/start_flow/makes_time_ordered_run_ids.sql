BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
CREATE TEMP TABLE since AS SELECT clock_timestamp() AS before_start;
CREATE TEMP TABLE started AS SELECT (pgflow.start_flow('f')).run_id AS run_id;
INSERT INTO started SELECT r.run_id FROM pgflow.start_flows('f', '[{}, {}, {}]') AS r;
SELECT is((SELECT count(*) FROM started WHERE substring(run_id::text FROM 15 FOR 1) = '7'), 4::bigint,
  'start_flow and start_flows make version 7 run ids');
SELECT is((SELECT count(*) FROM started WHERE substring(run_id::text FROM 20 FOR 1) IN ('8', '9', 'a', 'b')),
  4::bigint, 'with the RFC 9562 variant');
-- The first 48 bits (12 hex digits) read back as Unix milliseconds.
SELECT ok((SELECT bool_and(to_timestamp(('x' || lpad(left(replace(run_id::text, '-', ''), 12), 16, '0'))::bit(64)::bigint
                                        / 1000.0)
                           BETWEEN date_trunc('milliseconds', before_start) - interval '1 ms' AND clock_timestamp())
             FROM started, since),
  'whose first 48 bits are the start''s time in milliseconds');
SELECT is((SELECT count(DISTINCT run_id) FROM started), 4::bigint, 'all distinct');
SELECT is((SELECT run_id FROM pgflow.start_flow('f', run_id => '00000000-0000-4000-8000-000000000001')),
  '00000000-0000-4000-8000-000000000001'::uuid, 'a caller''s own run id is kept as given');
SELECT * FROM finish();
ROLLBACK;
