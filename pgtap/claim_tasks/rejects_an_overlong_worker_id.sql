-- worker_id is stored on every task a worker claims: at most 255 characters, and
-- the error quotes a hostile one cut to a readable length.
BEGIN;
SELECT plan(4);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f');
SELECT throws_like($$SELECT * FROM pgflow.claim_tasks(worker_id => repeat('w', 256))$$,
  'worker_id must be at most 255 characters, got 256%', 'a 256-character worker_id is refused');
SELECT throws_ok($$SELECT * FROM pgflow.claim_tasks(worker_id => repeat('w', 10000000))$$, '22023', NULL,
  'so is a 10 MB one');
SELECT ok(length(pgflow._excerpt(repeat('w', 10000000))) < 200, 'and its message quotes at most a short excerpt');
SELECT is((SELECT count(*)::int FROM pgflow.claim_tasks(worker_id => repeat('w', 255))), 1, '255 characters are fine');
SELECT * FROM finish();
ROLLBACK;
