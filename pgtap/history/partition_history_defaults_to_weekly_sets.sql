-- pgtap: plain layout only
BEGIN;
SELECT plan(4);
SELECT is(pgflow.partition_history(), 3, 'by default: this week''s set and two weeks ahead');
SELECT is((SELECT partition_interval FROM pgflow.history_layout), interval '7 days', 'weekly sets');
SELECT is((SELECT premake FROM pgflow.history_layout), 2, 'made two intervals ahead');
SELECT is((SELECT min(substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \(''([^'']+)''\)'))::uuid
             FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'pgflow.runs'::regclass AND c.relpartbound IS NOT NULL
              AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'),
          pgflow._history_bound(date_bin('7 days', now(), '2000-01-01 00:00:00+00')),
  'the first set starts at the week (since 2000-01-01) that holds now');
SELECT * FROM finish();
ROLLBACK;
