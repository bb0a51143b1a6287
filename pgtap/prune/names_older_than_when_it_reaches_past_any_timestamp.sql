-- An interval so large that now() minus it leaves the timestamp range is refused
-- naming older_than, not with a bare "timestamp out of range".
BEGIN;
SELECT plan(2);
SELECT throws_ok($$SELECT pgflow.prune(older_than => interval '1000000 years')$$, '22008',
  'older_than 1000000 years is too large: now() minus it is before the earliest timestamp',
  'a million years is refused, naming older_than');
SELECT is(pgflow.prune(older_than => interval '100 years'), 0::bigint, 'a century is fine');
SELECT * FROM finish();
ROLLBACK;
