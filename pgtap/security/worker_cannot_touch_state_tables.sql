BEGIN;
CREATE ROLE pgflow_test_sec_worker_tables NOLOGIN IN ROLE pgflow_worker;
-- Every table and view of the schema (so a new one is covered too), and for UPDATE a plain column of it.
-- Views are read-only whoever asks (none is updatable: queue_stats aggregates): only SELECT is checked on them.
CREATE TEMP TABLE targets AS
SELECT c.relname AS table_name, c.relkind IN ('v', 'm') AS is_view,
       (SELECT a.attname FROM pg_attribute AS a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = '' AND a.attgenerated = ''
         ORDER BY a.attnum LIMIT 1) AS column_name
  FROM pg_class AS c
 WHERE c.relnamespace = 'pgflow'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm');
GRANT SELECT ON targets TO PUBLIC;
SELECT plan((SELECT count(*)::int + count(*) FILTER (WHERE NOT is_view)::int * 4 + 2 FROM targets));
SELECT cmp_ok((SELECT count(*)::int FROM targets WHERE NOT is_view), '>=', 7, 'at least the seven state and definition tables');
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
CREATE TEMP TABLE rows_before AS SELECT (SELECT count(*) FROM pgflow.runs) + (SELECT count(*) FROM pgflow.step_tasks) AS n;
GRANT SELECT ON rows_before TO PUBLIC;

SET ROLE pgflow_test_sec_worker_tables;
SELECT throws_ok(format('SELECT * FROM pgflow.%I', table_name), '42501', NULL,
                 format('a worker cannot SELECT from pgflow.%s', table_name))
  FROM targets ORDER BY table_name;
SELECT throws_ok(format('INSERT INTO pgflow.%I DEFAULT VALUES', table_name), '42501', NULL,
                 format('nor INSERT into pgflow.%s', table_name))
  FROM targets WHERE NOT is_view ORDER BY table_name;
SELECT throws_ok(format('UPDATE pgflow.%I SET %I = %I', table_name, column_name, column_name), '42501', NULL,
                 format('nor UPDATE pgflow.%s', table_name))
  FROM targets WHERE NOT is_view ORDER BY table_name;
SELECT throws_ok(format('DELETE FROM pgflow.%I', table_name), '42501', NULL,
                 format('nor DELETE from pgflow.%s', table_name))
  FROM targets WHERE NOT is_view ORDER BY table_name;
SELECT throws_ok(format('TRUNCATE pgflow.%I CASCADE', table_name), '42501', NULL,
                 format('nor TRUNCATE pgflow.%s', table_name))
  FROM targets WHERE NOT is_view ORDER BY table_name;
RESET ROLE;
SELECT is((SELECT count(*) FROM pgflow.runs) + (SELECT count(*) FROM pgflow.step_tasks), (SELECT n FROM rows_before),
  'nothing changed');
SELECT * FROM finish();
ROLLBACK;
