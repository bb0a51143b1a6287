BEGIN;
SELECT plan(7);
-- Every key value ever seen has a limit counter; prune removes those idle for
-- older_than (nothing in flight, not claimed since, no start in the rate
-- window), with their pending releases, and keeps the rest.
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "limit_key": "customer", "max_concurrency": 1,
                            "rate_limit": 5, "rate_period": 3600}]}');
SELECT pgflow.define_flow('{"slug": "g", "steps": [{"slug": "a", "limit_key": "customer", "max_concurrency": 1}]}');
SELECT pgflow.start_flow(flow_slug => s.flow, input => jsonb_build_object('customer', s.customer))
  FROM (VALUES ('f', 'old'), ('f', 'busy'), ('f', 'recent'), ('g', 'old')) AS s(flow, customer);
-- old and recent (f), and old (g) start and finish; busy stays in flight; never is never claimed.
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10);
SELECT pgflow.start_flow(flow_slug => 'g', input => '{"customer": "never"}');
SELECT pgflow.complete_task(run_id => t.run_id, step_slug => 'a', output => '1')
  FROM pgflow.step_tasks AS t JOIN pgflow.runs AS r USING (run_id)
 WHERE t.status = 'started' AND r.input ->> 'customer' IN ('old', 'recent');
SELECT is((SELECT count(*) FROM pgflow.limit_releases), 3::bigint, 'three releases wait to be folded in');
-- Ten days pass, except for the key claimed just now (recent) and the rate window of f's keys (an hour).
UPDATE pgflow.limit_counters
   SET last_claimed_at = now() - interval '10 days',
       recent_starts = ARRAY(SELECT s - interval '10 days' FROM unnest(recent_starts) AS s)
 WHERE key_value <> 'recent';
UPDATE pgflow.limit_counters SET recent_starts = '{}' WHERE key_value = 'recent';
CREATE TEMP TABLE before AS SELECT * FROM pgflow.limit_counters;

SELECT cmp_ok(pgflow.prune(older_than => interval '1 day'), '>=', 5::bigint, 'prune counts the counters and releases it removes');
SELECT set_eq($$SELECT flow_slug, key_value FROM pgflow.limit_counters WHERE step_slug = 'a'$$,
  $$VALUES ('f', 'busy'), ('f', 'recent')$$,
  'the counters of keys in flight or claimed since the cut-off are kept; idle and never-claimed ones go');
SELECT is((SELECT count(*) FROM pgflow.limit_releases AS r WHERE r.key_value = 'old'), 0::bigint,
  'the releases of removed counters go with them');
SELECT is((SELECT in_flight FROM pgflow.limit_counters WHERE flow_slug = 'f' AND step_slug = 'a' AND key_value = 'busy'), 1,
  'a kept counter still counts its task in flight');

-- A removed key's counter comes back when it is needed, and the limit holds.
SELECT pgflow.start_flow(flow_slug => 'g', input => '{"customer": "old"}') FROM generate_series(1, 2);
SELECT is((SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'w1', max_tasks => 10, flow_slugs => '{g}') AS c
             JOIN pgflow.runs AS r USING (run_id) WHERE r.input ->> 'customer' = 'old'), 1::bigint,
  'max_concurrency 1 still holds for a key whose counter was pruned');
-- A rate window still open keeps the counter however old its last claim.
UPDATE pgflow.limit_counters SET last_claimed_at = now() - interval '10 days', recent_starts = ARRAY[now() - interval '10 minutes']
 WHERE flow_slug = 'f' AND key_value = 'recent';
SELECT pgflow.prune(older_than => interval '1 day');
SELECT ok(EXISTS (SELECT 1 FROM pgflow.limit_counters WHERE flow_slug = 'f' AND step_slug = 'a' AND key_value = 'recent'),
  'a counter with a start inside its rate window is kept');
SELECT * FROM finish();
ROLLBACK;
