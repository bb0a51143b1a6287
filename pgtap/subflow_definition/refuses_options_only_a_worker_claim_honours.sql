BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "enrich", "steps": [{"slug": "lookup"}]}');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "c", "subflow": "enrich", "timeout": 5}]}')$$,
  '22023', 'subflow step "c" of flow "orders" cannot set timeout: no worker claims it', 'timeout is refused');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "orders", "steps": [{"slug": "c", "subflow": "enrich", "max_concurrency": 2}]}')$$,
  '22023', 'subflow step "c" of flow "orders" cannot set max_concurrency: no worker claims it', 'so is a limit');
SELECT lives_ok($$SELECT pgflow.define_flow('{"slug": "orders", "max_concurrency": 2, "steps": [
    {"slug": "c", "subflow": "enrich", "max_attempts": 5, "base_delay": 0, "delay_seconds": 3, "when_exhausted": "skip"}]}')$$,
  'attempts, backoff, delay and when_exhausted apply to a subflow step (and flow-level limits to the flow''s other steps)');
SELECT * FROM finish();
ROLLBACK;
